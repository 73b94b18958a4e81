// The desire-backpropagation network (learn/desire.h): an integrate-and-fire
// input layer on the grey levels, then fully connected LIF layers
// (784-1000-100-10 for Fashion-MNIST in the paper), trained online, one
// sample at a time. Forward, as coded (the authors' desire_pytorch.py):
//
//   input (t = 0..T-1):  u_i <- u_i + x_i;  s0_i(t) = [u_i >= theta] m_i;  u_i <- u_i - theta s0_i(t)
//                        emitted as s0_i(t) / (1 - p_in)         (input dropout mask m, rate p_in)
//   layer l (t = 0..T-1): v <- lambda v;  v <- v + sum_i in_i(t) w_ij;
//                        s_l,j(t+1) = [v_j >= theta] m_j;  v_j <- v_j - theta s_l,j(t+1)
//                        in(t) = s0(t) for l = 1 and s_{l-1}(t) for l > 1 (one step
//                        of delay per layer; s_l(0) = 0), hidden layers emit
//                        s / (1 - p_hidden), the output layer has no dropout
//   lambda = 1 - 2^-decay_bits. Counts n_l,j = sum_t [s_l,j(t) > 0].
// Backward: output desire from the label, hidden desires layer by layer
// (desire.h); update at every postsynaptic spike of an active neuron with
// the trace tr_i(t) = lambda tr_i(t-1) + min(in_i(t-1), 1) (desire.h).
// Step-by-step (SimEngine::Dense): the currents of all T steps are one
// matrix product [T, I] x [I, O] and the update is one product
// tr^T [I, T] x D [T, O], D(t, j) = sign_j at the spikes of active j;
// event-driven: each input spike adds its weight row, each postsynaptic spike
// of an active neuron adds eta sign_j tr(t) to its weight column. The masks
// are drawn per sample. A sample is correct only when the label's count is
// the unique maximum (ties are wrong).
//
// | parameter        | default      | unit | meaning                             |
// | hidden           | [1000, 100]  | -    | hidden layer widths                 |
// | timesteps        | 20           | -    | steps per sample                    |
// | threshold        | 1            | -    | theta, every layer                  |
// | decay_bits       | 2            | -    | lambda = 0.75                       |
// | dropout_input    | 0            | -    | p_in                                |
// | dropout_hidden   | 0.3          | -    | p_hidden                            |
// | init             | kaiming_normal| -   | w ~ N(0, 2 / I) (or U(+-sqrt(6/I))) |
// | lr, lr_decay, desire thresholds, error_margin: learn/desire.h          |
// State: w_l [I_l, O_l]; per simulation spikes [T + 1, N_l], traces [T + 1, I_l].
// Reference: Gerlinghoff et al. 2023, Neurocomputing 560:126773, Sec. 3-4.
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "learn/plastic_projection.h"

namespace spikeforge {

struct DesireNetParams {
  std::vector<int> hidden = {1000, 100};
  int timesteps = 20;
  float threshold = 1.f;
  int decay_bits = 2;
  float dropout_input = 0.f, dropout_hidden = 0.3f;
  bool kaiming_normal = true;
  float lr = 1e-5f, lr_decay = 0.04f;
  float theta_out = 0.30f, theta_hidden = 0.05f;
  int error_margin = 4;
};

struct DesireLayerState {
  std::vector<float> s;               // [T + 1, O] spikes as emitted (dropout-scaled)
  std::vector<float> tr;              // [T + 1, I] presynaptic traces
  std::vector<float> cur;             // [T, O] currents
  std::vector<float> n;               // [O] counts
  std::vector<uint8_t> mask, active;  // [O]
  std::vector<float> sign, g;         // [O]
  std::vector<float> d;               // [T, O] update matrix (dense engine)
  double spikes = 0;                  // for firing rates
};

struct DesireState {
  std::vector<float> u, s0;    // [I0], [T, I0]
  std::vector<uint8_t> mask0;  // [I0]
  std::vector<DesireLayerState> layer;
  std::vector<float> back;  // [max I] d_j of the layer below
  double input_spikes = 0, samples = 0;
};

class DesireNet {
 public:
  DesireNet(const DesireNetParams& p, int inputs, int classes);
  void init_weights(Rng& rng);
  DesireState make_state() const;
  // Runs x [I0] for T steps; learn: dropout masks from rng, desire update with `lr`.
  // out [C] = output counts. Returns true when the label is the unique maximum.
  bool present(const float* x, int label, bool learn, float lr, SimEngine e, Rng& rng, DesireState& st, float* out);

  const DesireNetParams& params() const { return p_; }
  int layers() const { return int(w_.size()); }
  int width(int l) const { return sizes_[l]; }          // l = 0: inputs
  std::vector<float>& weights(int l) { return w_[l]; }  // layer l+1: [sizes[l], sizes[l+1]]
  const std::vector<float>& weights(int l) const { return w_[l]; }

 private:
  void forward_layer(int l, const float* in, bool learn, SimEngine e, DesireState& st) const;
  void update_layer(int l, float lr, SimEngine e, DesireLayerState& L);

  DesireNetParams p_;
  std::vector<int> sizes_;  // [I0, hidden..., C]
  float lambda_;
  std::vector<std::vector<float>> w_;
};

}  // namespace spikeforge
