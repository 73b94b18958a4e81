// Linear synapses into a LIF population, trained with sparse spiking
// gradient descent (Perez-Nieves & Goodman, NeurIPS 2021): the surrogate is
// zero outside a band around threshold, so the backward pass visits only the
// "active" neurons, where |v - theta| < band. What a config's
// `backward = "sparse"` turns every linear -> lif pair into.
//
// Forward (t = 0..T-1; the input is spikes [T, B, I]):
//   I_t = W x_t + b                         (nn/linear.h, spike path by density)
//   v_t = beta r_{t-1} + I_t,  s_t = H(v_t - theta),  r_t = v_t - theta s_t
//   (soft reset; the reset is detached in the gradient, as the paper has it)
// Backward, with e_t = ds_t g(v_t - theta) on the active set A and 0 elsewhere:
//   the dense BPTT of the same model is dI_t = dv_t = e_t + beta dv_{t+1};
//   summed by parts, with the input trace tr_t = beta tr_{t-1} + x_t:
//     dW[j, :] += sum_{(b,t,j) in A} e_t[j] tr_t[:]
//     db[j]    += sum_{(b,t,j) in A} e_t[j] (1 - beta^(t+1)) / (1 - beta)     (t + 1 for beta = 1)
//     dx_t     =  u_t + beta dx_{t+1},   u_t = sum_{j in A_t} e_t[j] W[j, :]
// which are the dense gradients of the banded surrogate exactly (the same
// sums, grouped differently: equal to float rounding, bit for bit when exact).
// The trace is kept scaled, so it changes only at input spikes:
//   tr_t = beta^(t - t0) S,  S += beta^-(t - t0) at each input spike,
// with the base t0 moved (S *= beta^L) every L steps, L the largest with
// beta^-L <= 2^40; dW[j, :] += (e_t[j] beta^(t - t0)) S.
// When din's consumer reads only some entries (Layer::set_din_needed: a sparse
// layer below), dx_t[i] = dv_t . W[:, i] at those entries only, with the
// neuron-space recursion dv_t = e_t + beta dv_{t+1} (T N per sample, plus N per
// needed entry, instead of T I).
// Work: the active entries times fan-in plus the input spikes, instead of the
// dense 2 T B N I MACs.
//
// Cache per forward, what backward reads: the input spikes as bits
// (T B I / 8 bytes, inside the linear) and the active set as a list of
// (neuron, g) per (t, b): 8 bytes per active entry. The membrane v [T, B, N]
// is a forward scratch, not kept.
// Parameters [W (N x I), b (N)] as nn::Linear: checkpoints move between
// dense and sparse training.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "nn/layer.h"
#include "nn/lif_layer.h"
#include "nn/linear.h"

namespace spikeforge {

class SparseSpikingLinear : public Layer {
 public:
  // p.surrogate_band must be > 0 (the active set); the reset is soft and detached.
  SparseSpikingLinear(FeatShape in, int units, bool bias, SpikingParams p);
  std::string kind() const override { return "linear_lif"; }
  int64_t param_count() const override { return lin_.param_count(); }
  void bind(float* params, float* grads) override;
  void init_params(InitKind kind, Rng& rng) override { lin_.init_params(kind, rng); }
  void set_spike_input(bool s) override { lin_.set_spike_input(s); }
  int out_steps(int, int T) const override { return T; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  bool spiking() const override { return true; }
  double spikes_emitted() const override { return spikes_; }
  void reset_spike_count() override { spikes_ = 0; }

  const ActiveSet* dout_reads() const override { return &active_; }
  void set_din_needed(const ActiveSet* s) override { din_needed_ = s; }
  int64_t active_entries() const { return int64_t(idx_.size()); }  // of the last forward
  size_t cache_bytes() const { return lin_.cache_bytes() + idx_.size() * (sizeof(int32_t) + sizeof(float)); }
  Linear& synapse() { return lin_; }

 private:
  Linear lin_;
  SpikingParams p_;
  int I_, N_;
  float *W_ = nullptr, *dW_ = nullptr, *db_ = nullptr;
  double spikes_ = 0;
  Tensor cur_, v_;                  // [T, B, N] forward scratch: current, membrane
  std::vector<int64_t> row_start_;  // [T*B + 1] active entries of row (t, b)
  std::vector<int32_t> idx_;        // neuron j of each active entry
  std::vector<float> g_;            // its surrogate g(v - theta)
  std::vector<float> part_;         // [threads, N*I + N] per-thread dW, db
  ActiveSet active_;                // row_start_, idx_ as the entries backward reads of dout
  const ActiveSet* din_needed_ = nullptr;
  std::vector<float> pow_;      // [T + 1] beta^k
  std::vector<float> inv_pow_;  // [L] beta^-k
  int rebase_ = 1;              // L: steps between moves of the trace's base

  // One thread's buffers for its samples [b0, b1), grown only.
  struct Scratch {
    std::vector<float> S, D, acc;  // [nb, I] scaled traces; [nb, N] dv_t; [I] din recursion
  };
  std::vector<Scratch> scratch_;  // [threads]
  Tensor wt_;                     // [I, N] W^T for the needed-entry din
  // Steps outer, samples inner: rows r = t*B + b are read in memory order.
  void weight_grads_of_samples(int b0, int b1, const float* dout, float* dW, float* db, Scratch& sc) const;
  void input_grads_of_sample(int b, const float* dout, float* din, float* acc) const;
  void input_grads_at_needed(int b0, int b1, const float* dout, float* din, Scratch& sc) const;
};

}  // namespace spikeforge
