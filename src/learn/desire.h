// Desire backpropagation: a ternary desire per neuron, derived from the
// output error and propagated layer by layer, used in an STDP-like update
// applied only at postsynaptic spikes.
//
// Desire of neuron j: active_j in {0, 1} and sign_j in {-1, +1}
// (active: j should spike (+1) or should not spike (-1); inactive: don't care).
// Counts n_j over T steps, normalised c_j = n_j / (T - m) (error margin m):
//   output layer:  e_j = 1 - c_j (j = label, sign +1) or c_j (otherwise, sign -1)
//                  active_j = [e_j > theta_out]
//   layer below:   g_k = |[sign_k > 0] - c_k| * sign_k * active_k * mask_k     (L1 error)
//                  d_j = sum_k w_jk g_k                          (w [I, O] of the layer above)
//                  active_j = [|d_j| >= theta_hidden],  sign_j = +1 if d_j > 0 else -1
// Presynaptic trace, per input i of a layer (lambda = 1 - 2^-decay_bits):
//   tr_i(t) = lambda tr_i(t-1) + min(s_i(t), 1),  tr_i(-1) = 0
// on_post (postsynaptic spike of j at step t, j active and not dropped out):
//   w_ij <- w_ij + eta sign_j tr_i(t)        for every input i of j
// No on-presynaptic-spike update: a neuron that should spike but never does
// changes nothing.
//
// | parameter      | default | unit | meaning                                  |
// | eta            | 1e-5    | -    | learning rate (lr), decayed per epoch    |
// | lr_decay       | 0.04    | -    | eta_epoch = eta exp(-lr_decay epoch)     |
// | theta_out      | 0.30    | -    | output desire threshold                  |
// | theta_hidden   | 0.05    | -    | hidden (linear) desire threshold         |
// | error_margin   | 4       | steps| m: target count T - m                    |
// | decay_bits     | 2       | -    | lambda = 1 - 2^-2 = 0.75                 |
// State: desire (active, sign) [N] per layer, traces tr [T + 1, I] per layer.
// Reference: Gerlinghoff, Luo, Goh, Wong 2023, Neurocomputing 560:126773,
// Sec. 3 (eqs. 4-9), and the authors' desire_pytorch.py (SnnLinear.backward,
// SnnOptim.step).
#pragma once
#include <cmath>
#include <cstdint>

namespace spikeforge {

struct DesireRule {
  float eta;
  // sign: +1 or -1; tr: the presynaptic trace at the postsynaptic spike
  float on_post(float w, float sign, float tr) const { return w + eta * sign * tr; }
};

// Output layer: counts n [O] -> active [O], sign [O].
inline void output_desire(const float* n, int O, int label, int T, int margin, float theta_out, uint8_t* active,
                          float* sign) {
  for (int j = 0; j < O; ++j) {
    const float c = n[j] / float(T - margin);
    const float e = j == label ? 1.f - c : c;
    active[j] = e > theta_out;
    sign[j] = j == label ? 1.f : -1.f;
  }
}

// g_k of a layer from its desire and counts (the weighted error it sends down).
inline float desire_error(float n, int T, int margin, uint8_t active, float sign, uint8_t mask) {
  const float c = n / float(T - margin);
  const float target = sign > 0 ? 1.f : 0.f;
  return std::fabs(target - c) * sign * float(active && mask);
}

// Hidden layer desire from d_j = sum_k w_jk g_k.
inline void hidden_desire(float d, float theta_hidden, uint8_t& active, float& sign) {
  active = std::fabs(d) >= theta_hidden;
  sign = d > 0 ? 1.f : -1.f;
}

}  // namespace spikeforge
