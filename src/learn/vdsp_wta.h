// The VDSP winner-take-all network of Garg et al. 2022: I LIF input neurons
// (one per pixel) -> O LIF output neurons, all-to-all weights learned by
// VDSP (learn/vdsp.h), hard winner-take-all among the outputs. dt = 1 ms.
//
// Per step, as coded (the public re-implementation's order):
//   r_j <- max(0, r_j - 1)                                    refractory steps left
//   u_i <- a_in u_i + bias + scale x_i;  s_i = [u_i > 1];  u_i <- -1 where s_i
//   for j with r_j = 0:  v_j <- a_out v_j + sum_i s_i w_ij    (refractory v_j frozen)
//   if some v_j > theta + th_j: k = argmax_j (v_j - th_j) (lowest index on ties) spikes;
//     w_ik <- VDSP(w_ik, u_i) for all i (u after the input reset);
//     v_k <- -1, r_k <- refractory;  v_j <- 0, r_j <- inhibition for j != k
//   a_in = exp(-1 / tau_in), a_out = exp(-1 / tau_out).
// Optional homeostasis (theta_plus > 0, training only; not in the reference,
// which has th = 0): th_j <- a_th th_j every step, th_k += theta_plus at each
// win, a_th = exp(-1 / tau_theta) -- Diehl & Cook's adaptive threshold, so
// that neurons which win often yield to the others.
// Each sample starts from rest (u = v = 0, r = 0): the reference's 200 ms of
// leak-only rest leaves u and v at 0.13 % and 3.6 % of their values.
// Neurons are labelled by the class they spike most for (training set, no
// learning) and a sample is the class of the labelled neurons' summed spikes,
// or is read out by class proportions or a linear map (learn/label_readout.h).
//
// | parameter        | default | unit | meaning                               |
// | neurons          | 100     | -    | output neurons                        |
// | timesteps        | 350     | ms   | presentation (steps of 1 ms)          |
// | input_tau        | 30      | ms   | input membrane time constant          |
// | input_bias       | 0.032   | -    | constant input current per step       |
// | input_scale      | 0.00675 | -    | current of a white pixel per step     |
// | output_tau       | 60      | ms   | output membrane time constant         |
// | threshold        | 10      | -    | output threshold                      |
// | refractory       | 5       | ms   | winner's refractory period            |
// | inhibition       | 10      | ms   | losers' inhibition period             |
// | lr               | 1e-3    | -    | VDSP eta                              |
// | w_init_min/max   | 0, 1    | -    | initial weights, uniform              |
// | theta_plus       | 0       | -    | threshold increment per win           |
// | tau_theta        | 1e7     | ms   | threshold decay                       |
// State: w [I, O], th [O] (the model); per simulation u [I], v [O], r [O].
// Reference: Garg et al. 2022, Front. Neurosci. 16:983950 (Sec. 2.3, network).
#pragma once
#include <vector>

#include "core/rng.h"
#include "learn/plastic_projection.h"

namespace spikeforge {

struct VdspWtaParams {
  int neurons = 100, timesteps = 350;
  float input_tau = 30.f, input_bias = 0.032f, input_scale = 0.00675f;
  float output_tau = 60.f, threshold = 10.f;
  int refractory = 5, inhibition = 10;
  float lr = 1e-3f, w_init_min = 0.f, w_init_max = 1.f;
  float theta_plus = 0.f, tau_theta = 1e7f;
};

struct VdspWtaState {
  std::vector<float> u, v, f, cur;  // [I], [O], [I] VDSP magnitudes, [O] currents
  std::vector<int> r;               // [O]
  SpikeSet s_in, s_out;
  double input_spikes = 0, output_spikes = 0, steps = 0;
};

class VdspWtaNet {
 public:
  VdspWtaNet(const VdspWtaParams& p, int inputs);
  void init_weights(Rng& rng);
  VdspWtaState make_state() const;
  // Shows x [I] in [0, 1] for `timesteps` steps; counts [O] += output spikes.
  // Returns the output spikes. Without learning the model is only read.
  int present(const float* x, bool learn, SimEngine e, VdspWtaState& st, float* counts);

  const VdspWtaParams& params() const { return p_; }
  int inputs() const { return I_; }
  int neurons() const { return O_; }
  std::vector<float>& weights() { return w_; }  // [I, O]
  const std::vector<float>& weights() const { return w_; }
  std::vector<float>& theta() { return th_; }  // [O]

 private:
  VdspWtaParams p_;
  int I_, O_;
  float a_in_, a_out_, a_th_;
  std::vector<float> w_, th_;
};

}  // namespace spikeforge
