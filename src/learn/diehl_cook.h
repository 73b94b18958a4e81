// Diehl & Cook (2015) unsupervised competitive network: Poisson input ->
// excitatory layer (conductance-based LIF with adaptive thresholds) <->
// inhibitory layer (one-to-one excitation, all-but-self inhibition back),
// input -> excitatory weights learned by STDP (learn/stdp.h); the neurons are
// labelled by their strongest class response (learn/label_readout.h).
//
// Neurons, per step dt (exponential Euler for v, exact decay for conductances):
//   refractory (r > 0):  r <- r - 1, v held at v_reset
//   else:  tau_m dv/dt = (v_rest - v) + ge (E_exc - v) + gi (E_inh - v), solved
//          over the step with ge, gi held (CondLifNeuron::integrate)
//   ge <- a_ge ge, gi <- a_gi gi                           a = exp(-dt / tau)
//   spike when not refractory and v > v_thresh + theta - theta_offset
//   (inhibitory neurons: theta = theta_offset = 0); reset v <- v_reset,
//   r <- refractory steps.
// Homeostasis (training only), excitatory neurons:
//   diehl_cook:   theta <- a_theta theta every step; theta += theta_plus per spike
//                 (rest between samples: theta <- a_theta^rest_steps theta)
//   target_rate:  theta <- max(0, theta + theta_lr (s - target_rate dt))
//                 (intrinsic threshold plasticity: the rate settles at target_rate)
// Synapses (delivered in the step a spike occurs, felt from the next step):
//   input i spikes:       ge_j += w_ij                 (all j; w learned)
//   excitatory j spikes:  ge_inh_j += w_ei             (one-to-one)
//   inhibitory k spikes:  gi_j += w_ie  for all j != k (all but self)
// Each sample starts from rest (v = v_rest, g = 0, traces 0, not refractory);
// D&C's 150 ms of silence let the state decay there (its residue is not
// kept). A sample that makes fewer than min_spikes excitatory spikes is shown
// again with input_rate + rate_step (up to max_retries times), weight changes
// of the failed showing kept, as in the reference code.
// Before each training sample: w normalised to norm_sum per neuron (stdp.h).
//
// | parameter          | default  | unit | meaning                               |
// | neurons            | 400      | -    | excitatory (= inhibitory) neurons     |
// | dt                 | 0.5      | ms   | time step                             |
// | timesteps          | 700      | -    | steps a sample is shown (350 ms)      |
// | rest_steps         | 300      | -    | silent steps after it (theta decay)   |
// | input_rate         | 63.75    | Hz   | Poisson rate of a white pixel         |
// | rate_step          | 31.875   | Hz   | added per retry                       |
// | min_spikes         | 5        | -    | fewer excitatory spikes: retry        |
// | max_retries        | 8        | -    | retries per sample                    |
// | w_init_min/max     | .003/.303| -    | initial weights, uniform              |
// | theta_plus         | 0.05     | mV   | threshold increment per spike         |
// | tau_theta          | 1e7      | ms   | threshold decay                       |
// | theta_init         | 20       | mV   | initial theta (= theta_offset)        |
// | w_ei, w_ie         | 10.4, 17 | -    | exc->inh and inh->exc conductances    |
// | excitatory neuron  | v_rest -65, v_reset -65, v_thresh -52 mV, tau_m 100 ms,     |
// |                    | refractory 5 ms, E_exc 0, E_inh -100 mV, tau_ge 1, tau_gi 2 |
// | inhibitory neuron  | v_rest -60, v_reset -45, v_thresh -40 mV, tau_m 10 ms,      |
// |                    | refractory 2 ms, E_exc 0, E_inh -85 mV, tau_ge 1, tau_gi 2  |
// State: w [I, N], theta [N] (the model); per simulation v, ge, gi, r [N]
// for both layers, traces x [I], y, z [N].
// Reference: Diehl & Cook 2015, Front. Comput. Neurosci. 9:99, eqs. 1-3 and
// the authors' code (peter-u-diehl/stdp-mnist, Diehl&Cook_spiking_MNIST.py);
// input delays (0-10 ms there) are not modelled.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "learn/plastic_projection.h"
#include "learn/poisson_input.h"
#include "learn/stdp.h"

namespace spikeforge {

enum class HomeostasisKind { DiehlCook, TargetRate };
HomeostasisKind parse_homeostasis_kind(const std::string& s);  // throws ConfigError
const char* homeostasis_name(HomeostasisKind k);

// Conductance-based LIF (per-element maths, no loops).
struct CondLifParams {
  float v_rest, v_reset, v_thresh, tau_m, refractory_ms, e_exc, e_inh, tau_ge, tau_gi;
};
constexpr CondLifParams kDiehlCookExc = {-65.f, -65.f, -52.f, 100.f, 5.f, 0.f, -100.f, 1.f, 2.f};
constexpr CondLifParams kDiehlCookInh = {-60.f, -45.f, -40.f, 10.f, 2.f, 0.f, -85.f, 1.f, 2.f};

struct CondLifNeuron {
  float v_rest, v_reset, v_thresh, k;  // k = dt / tau_m
  float e_exc, e_inh, a_ge, a_gi;
  int refractory_steps;
  static CondLifNeuron make(const CondLifParams& p, float dt_ms);
  float a_m;  // exp(-k): the decay without conductances
  // One step of the membrane (not refractory), exponential Euler: with the
  // conductances held over the step, tau dv/dt = A - B v is solved exactly,
  //   A = v_rest + ge E_exc + gi E_inh,  B = 1 + ge + gi,
  //   v <- A / B + (v - A / B) exp(-k B)
  // (stable for any conductance; forward Euler diverges once k B > 2, as when
  // many inhibitory neurons fire together).
  float integrate(float v, float ge, float gi) const {
    if (ge == 0.f && gi == 0.f) return v_rest + (v - v_rest) * a_m;
    const float B = 1.f + ge + gi, vinf = (v_rest + ge * e_exc + gi * e_inh) / B;
    return vinf + (v - vinf) * std::exp(-k * B);
  }
  // Conductance decay, flushed to 0 below 1e-30 (no subnormal arithmetic).
  static float decay(float g, float a) { return g > 1e-30f ? g * a : 0.f; }
};

struct DiehlCookParams {
  int neurons = 400;
  float dt_ms = 0.5f;
  int timesteps = 700, rest_steps = 300;
  float input_rate_hz = 63.75f, rate_step_hz = 31.875f;
  int min_spikes = 5, max_retries = 8;
  float w_init_min = 0.003f, w_init_max = 0.303f;
  StdpParams stdp;
  HomeostasisKind homeostasis = HomeostasisKind::DiehlCook;
  float theta_plus_mv = 0.05f, tau_theta_ms = 1e7f, theta_init_mv = 20.f;
  float target_rate_hz = 5.f, theta_lr_mv = 0.05f;  // target_rate homeostasis
  float w_ei = 10.4f, w_ie = 17.f;
  CondLifParams exc = kDiehlCookExc, inh = kDiehlCookInh;
};

// What one simulation (one thread) owns; sized by DiehlCookNet::make_state.
struct DiehlCookState {
  std::vector<float> v_e, ge_e, gi_e, v_i, ge_i;  // [N]
  std::vector<int> r_e, r_i;                      // [N] refractory steps left
  std::vector<float> x, y, z;                     // traces: [I], [N], [N]
  std::vector<float> showing;                     // [N] spike counts of the current showing
  SpikeSet s_in, s_exc, s_inh;
  SpikeRaster raster;
  double input_spikes = 0, exc_spikes = 0, inh_spikes = 0, steps = 0;  // for firing rates
};

class DiehlCookNet {
 public:
  DiehlCookNet(const DiehlCookParams& p, int inputs);
  void init_weights(Rng& rng);
  DiehlCookState make_state() const;
  // Shows image x [I] (grey levels in [0, 1]); adds the excitatory spike
  // counts of the last showing to counts [N]; learn = STDP and homeostasis on.
  // Returns the retries used. Without learning the model is only read.
  int present(const float* x, Rng& rng, bool learn, SimEngine e, DiehlCookState& st, float* counts);

  const DiehlCookParams& params() const { return p_; }
  int inputs() const { return I_; }
  int neurons() const { return N_; }
  std::vector<float>& weights() { return w_; }  // [I, N]
  std::vector<float>& theta() { return theta_; }
  const std::vector<float>& weights() const { return w_; }
  const std::vector<float>& theta() const { return theta_; }

 private:
  // One showing at `rate_hz`; returns the excitatory spikes.
  int run_once(float rate_hz, const float* x, Rng& rng, bool learn, SimEngine e, DiehlCookState& st, float* counts);

  DiehlCookParams p_;
  int I_, N_;
  CondLifNeuron exc_, inh_;
  StdpKernel stdp_;
  float a_theta_;
  std::vector<float> w_, theta_;
};

}  // namespace spikeforge
