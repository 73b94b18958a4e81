// BioLCNet-style reward-modulated locally connected SNN (Ghaemi et al. 2021):
// Poisson input (a centre crop of the image) -> locally connected layer
// (no weight sharing) of adaptive-threshold LIF neurons with lateral
// inhibition between the channels of a position, trained by STDP
// (learn/stdp.h) -> output layer of class populations trained by
// reward-modulated STDP (learn/rstdp.h) with dopamine from the output
// spikes; a sample's class is the population with the most spikes.
//
// Geometry: crop c x c from the image centre; P = ((c - k) / stride + 1)^2
// positions, each a k x k patch; `channels` neurons per position (neuron
// n = p * channels + ch), each with its own k*k weights (w_lc [P][k*k, ch]).
// Output: classes * per_class LIF neurons, all-to-all from the P * channels
// LC neurons (w_out [P * channels, O]).
// Neurons (current-based, dt = 1 ms), per step:
//   refractory: r <- r - 1, v held at v_reset
//   else v <- a (v - v_rest) + v_rest + I(t) - inhibition * n_other(t - 1)
//   spike when v > v_thresh + theta; v <- v_reset, r <- refractory;
//   LC neurons while the LC learns: theta += theta_plus, theta <- a_theta theta
//   I(t): the weights of this step's spikes of the layer below; n_other(t-1):
//   spikes of the other channels at the same position in the last step
//   (LC: lc_inhibition; output: all other output neurons, out_inhibition).
// Training: the first lc_epochs epochs train the LC layer by STDP (weights
// normalised per neuron to lc_norm before each sample), the rest train the
// output by R-STDP with the LC frozen. Dopamine, from step `observe` on:
//   d <- a_d d + dps * (spikes of the label's population) - neg_dps * (other output spikes)
//   (d = 0 before; a_d = exp(-1 / tau_dopamine)); every step with d != 0 is a reward step.
// Each sample starts from rest.
//
// | parameter       | default | unit | meaning                                  |
// | crop, kernel, stride | 22, 15, 4 | px | geometry (2 x 2 positions)          |
// | channels        | 100     | -    | LC neurons per position                  |
// | per_class       | 20      | -    | output neurons per class                 |
// | timesteps       | 256     | ms   | presentation                             |
// | observe         | 100     | ms   | steps before dopamine                    |
// | input_rate      | 64      | Hz   | Poisson rate of a white pixel            |
// | lc_epochs       | 1       | -    | epochs of LC STDP before R-STDP          |
// | lc_norm         | 22.5    | -    | sum of each LC neuron's weights          |
// | lc_inhibition   | 100     | mV   | lateral inhibition per spike (LC)        |
// | out_inhibition  | 0       | mV   | lateral inhibition per spike (output)    |
// | v_rest/reset/thresh | -65/-65/-52 | mV | both layers                        |
// | tau_m, refractory| 100, 5 | ms   | both layers                              |
// | theta_plus, tau_theta | 0.05 mV, 1e6 ms | LC adaptive threshold        |
// | dps, neg_dps    | 1, 1    | -    | dopamine per target / other spike        |
// | tau_dopamine    | 10      | ms   | dopamine decay                           |
// | w_out_init_max  | 0.3     | -    | output weights start uniform [0, this]   |
// STDP and R-STDP rates and traces: learn/stdp.h, learn/rstdp.h.
// Reference: Ghaemi, Mirzaei, Nouri, Kheradpisheh 2021, "BioLCNet:
// Reward-modulated Locally Connected Spiking Neural Networks", arXiv
// 2109.05539 (and Singular-Brain/BioLCNet). Deviations: our own geometry
// defaults on 10 classes, STDP pre-training in the same run instead of
// shipped frozen LC weights, the per-spike dopamine variant.
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "learn/plastic_projection.h"
#include "learn/poisson_input.h"
#include "learn/rstdp.h"
#include "learn/stdp.h"

namespace spikeforge {

struct BioLcNetParams {
  int crop = 22, kernel = 15, stride = 4, channels = 100, per_class = 20;
  int timesteps = 256, observe = 100, lc_epochs = 1;
  float input_rate_hz = 64.f;
  StdpParams stdp{StdpPairing::Nearest, StdpUpdate::Additive, false, 1e-4f, 1e-2f, 20.f, 20.f, 40.f, 0.f, 1.f, 22.5f};
  float w_lc_init_max = 0.3f;
  float lc_inhibition = 100.f, out_inhibition = 0.f;
  float v_rest = -65.f, v_reset = -65.f, v_thresh = -52.f, tau_m = 100.f;
  int refractory = 5;
  float theta_plus = 0.05f, tau_theta = 1e6f;
  RstdpParams rstdp;
  float dps = 1.f, neg_dps = 1.f, tau_dopamine = 10.f;
  float w_out_init_max = 0.3f;
};

struct BioLcNetState {
  std::vector<float> v_lc, v_out;  // [P*C], [O]
  std::vector<int> r_lc, r_out;
  std::vector<float> cur_lc, cur_out;  // [P*C], [O]
  std::vector<float> x;                // [P][k*k] presynaptic STDP traces
  std::vector<float> y, y_slow;        // [P*C] postsynaptic traces (y_slow: triplet)
  std::vector<SpikeSet> s_patch;       // [P] input spikes per patch
  std::vector<SpikeSet> s_pos;         // [P] LC spikes per position (channel index)
  SpikeSet s_lc, s_out;                // [P*C], [O]
  std::vector<int> inh_lc;             // [P] LC spikes per position last step
  int inh_out = 0;
  std::vector<float> p_plus, p_minus;  // [P*C], [O] R-STDP traces
  std::vector<float> z;                // [P*C, O] eligibility
  std::vector<int> z_step;             // [P*C, O] last update step (event-driven)
  SpikeRaster raster;
  std::vector<float> image;  // [crop*crop]
  double input_spikes = 0, lc_spikes = 0, out_spikes = 0, steps = 0, reward = 0;
};

enum class BioLcPhase { Frozen, LearnLc, LearnOutput };

class BioLcNet {
 public:
  BioLcNet(const BioLcNetParams& p, int height, int width, int classes);
  void init_weights(Rng& rng);
  BioLcNetState make_state() const;
  // Shows x [H*W]; counts [O] += output spikes; returns the predicted class
  // (the population with the most spikes, lowest index on ties).
  int present(const float* x, int label, BioLcPhase phase, SimEngine e, Rng& rng, BioLcNetState& st, float* counts);

  const BioLcNetParams& params() const { return p_; }
  int positions() const { return P_; }
  int lc_neurons() const { return P_ * C_; }
  int outputs() const { return O_; }
  int classes() const { return K_; }
  int patch() const { return p_.kernel * p_.kernel; }
  std::vector<float>& lc_weights() { return w_lc_; }    // [P][k*k, C]
  std::vector<float>& out_weights() { return w_out_; }  // [P*C, O]
  std::vector<float>& theta() { return theta_; }
  const std::vector<float>& lc_weights() const { return w_lc_; }
  const std::vector<float>& out_weights() const { return w_out_; }
  const std::vector<float>& theta() const { return theta_; }

 private:
  void lc_stdp_step(SimEngine e, BioLcNetState& st);

  BioLcNetParams p_;
  int H_, W_, K_, P_, C_, O_, side_;
  float a_m_, a_theta_, a_d_;
  StdpKernel stdp_;
  RstdpKernel rstdp_;
  std::vector<std::vector<std::pair<int, int>>> taps_;  // crop pixel -> (position, patch index)
  std::vector<float> w_lc_, w_out_, theta_;
};

}  // namespace spikeforge
