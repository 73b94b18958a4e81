// The two simulations of a plastic all-to-all projection W [I, O]
// (input-major: row i holds the weights of presynaptic neuron i), one step
// at a time:
//
//   step-by-step (SimEngine::Dense, clock-driven): the synaptic current is
//     one dense product over all inputs, out[O] += s[I] W[I, O] (BLAS), and
//     the weight-update model is evaluated at every synapse every step,
//     gated by that step's spike flags:
//       for i, for j: if s_pre[i]: w_ij = on_pre(w_ij, i, j)
//                     if s_post[j]: w_ij = on_post(w_ij, i, j)
//   event-driven (SimEngine::Event): only the synapses of neurons that
//     spiked: out[O] += W[i, :] for each spiking i (ascending i), then
//     on_pre along the rows of spiking presynaptic neurons, then on_post
//     down the columns of spiking postsynaptic neurons.
//
// Every synapse sees the same calls in the same order (on_pre before
// on_post) with the same arguments in both, so the weights are the same bits
// whenever the spikes are. The currents are sums of the same weights in
// another order (BLAS vs ascending i): equal to rounding, and exactly equal
// where those sums are exact in float32 (small dyadic weights).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/blas.h"

namespace spikeforge {

enum class SimEngine { Dense, Event };
SimEngine parse_sim_engine(const std::string& s);  // "dense" | "event"; throws ConfigError
const char* sim_engine_name(SimEngine e);

// The spikes of one population at one step, as flags, 0/1 floats (for the
// dense product) and an ascending index list, kept consistent by set/clear.
struct SpikeSet {
  std::vector<uint8_t> flag;  // [N]
  std::vector<float> value;   // [N] 0 or 1
  std::vector<int> list;      // indices with flag = 1, ascending

  void resize(int n) {
    flag.assign(n, 0);
    value.assign(n, 0.f);
    list.clear();
    list.reserve(n);
  }
  void add(int i) {  // callers add in ascending order
    flag[i] = 1;
    value[i] = 1.f;
    list.push_back(i);
  }
  void clear() {
    for (int i : list) flag[i] = 0, value[i] = 0.f;
    list.clear();
  }
  bool empty() const { return list.empty(); }
};

// out[O] += sum over spiking i of W[i, :]
inline void propagate(SimEngine e, const float* W, int I, int O, const SpikeSet& pre, float* out) {
  if (pre.empty()) return;
  if (e == SimEngine::Dense) {
    gemm_nn(1, O, I, 1.f, pre.value.data(), W, 1.f, out);  // [1, I] x [I, O]
    return;
  }
  for (int i : pre.list) {
    const float* __restrict w = W + int64_t(i) * O;
#pragma omp simd
    for (int j = 0; j < O; ++j) out[j] += w[j];
  }
}

// One step of the weight-update model on W [I, O]; on_pre(w, i, j) and
// on_post(w, i, j) return the new weight of synapse i -> j.
template <class OnPre, class OnPost>
void update_weights(SimEngine e, float* W, int I, int O, const SpikeSet& pre, const SpikeSet& post, OnPre on_pre,
                    OnPost on_post) {
  if (pre.empty() && post.empty()) return;
  if (e == SimEngine::Dense) {
    for (int i = 0; i < I; ++i) {
      float* w = W + int64_t(i) * O;
      const bool sp = pre.flag[i];
      for (int j = 0; j < O; ++j) {
        if (sp) w[j] = on_pre(w[j], i, j);
        if (post.flag[j]) w[j] = on_post(w[j], i, j);
      }
    }
    return;
  }
  for (int i : pre.list) {
    float* w = W + int64_t(i) * O;
    for (int j = 0; j < O; ++j) w[j] = on_pre(w[j], i, j);
  }
  for (int j : post.list)
    for (int i = 0; i < I; ++i) {
      float& w = W[int64_t(i) * O + j];
      w = on_post(w, i, j);
    }
}

// Only postsynaptic updates (VDSP, desire): on_post(w, i, j).
template <class OnPost>
void update_weights_post(SimEngine e, float* W, int I, int O, const SpikeSet& post, OnPost on_post) {
  if (post.empty()) return;
  if (e == SimEngine::Dense) {
    for (int i = 0; i < I; ++i) {
      float* w = W + int64_t(i) * O;
      for (int j = 0; j < O; ++j)
        if (post.flag[j]) w[j] = on_post(w[j], i, j);
    }
    return;
  }
  for (int j : post.list)
    for (int i = 0; i < I; ++i) {
      float& w = W[int64_t(i) * O + j];
      w = on_post(w, i, j);
    }
}

}  // namespace spikeforge
