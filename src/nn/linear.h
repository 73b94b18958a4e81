// Fully connected synapses: y = x W^T + b over all Tin*B rows at once.
//   forward:  y[R, O] = x[R, I] W[O, I]^T + b[O]        R = Tin * B
//   backward: dW[O, I] += dy[R, O]^T x[R, I]
//             db[O]    += sum_r dy[r, O]
//             dx[R, I]  = dy[R, O] W[O, I]
// Weight layout [out, in] as PyTorch's nn.Linear.
//
// Spike input (set_spike_input(true): every input is 0 or 1). The input is
// packed into bits (nn/spike_bits.h), and at a measured density below the
// crossover the products use the spikes only:
//   forward:  y[r, :] = b + sum_{i : x[r, i] = 1} Wt[i, :]         Wt = W^T [I, O], refreshed per forward
//   backward: dWt[i, :] += sum_{r : x[r, i] = 1} dy[r, :],  dW += dWt^T
// (nnz * O adds instead of R * I * O MACs); above it, BLAS as for analog input.
// Both paths compute the same sums in a different order, so they agree to
// float rounding, and bit for bit when the sums are exact (dyadic weights).
// The path depends only on the data (the density), so runs stay deterministic.
// When din's consumer reads only some entries (Layer::set_din_needed: a
// sparse backward above), dx[r, i] = dy[r, :] . W[:, i] at those entries only.
// Cache: the input spikes as bits (R * I / 8 bytes), plus the input pointer
// for the BLAS path; analog input: the pointer only.
#pragma once
#include <vector>

#include "core/tensor.h"
#include "nn/layer.h"
#include "nn/spike_bits.h"
#include "nn/synapse_path.h"

namespace spikeforge {

class Linear : public Layer {
 public:
  // Below this spike density the spike path is faster (measured with
  // `spikeforge bench --sparse`, see BENCHMARKS.md).
  static constexpr double kDefaultCrossover = 0.22;

  Linear(FeatShape in, int out_features, bool bias = true);
  std::string kind() const override { return "linear"; }
  int64_t param_count() const override { return int64_t(O_) * I_ + (bias_ ? O_ : 0); }
  void bind(float* params, float* grads) override;
  void init_params(InitKind kind, Rng& rng) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;

  float* weight() { return W_; }  // [O, I]
  float* bias() { return b_; }    // [O] or nullptr

  void set_spike_input(bool s) override { spike_input_ = s; }
  void set_din_needed(const ActiveSet* s) override { din_needed_ = s; }
  bool spike_input() const { return spike_input_; }
  void set_path(SynapsePath p, double crossover = kDefaultCrossover) { path_ = p, crossover_ = crossover; }
  // The last forward's input density and whether it took the spike path.
  double last_density() const { return density_; }
  bool last_sparse() const { return sparse_; }
  size_t cache_bytes() const { return spike_input_ ? bits_.bytes() : 0; }
  const SpikeBits& input_bits() const { return bits_; }  // of the last forward (spike input)

 private:
  int I_, O_;
  bool bias_;
  float *W_ = nullptr, *b_ = nullptr, *dW_ = nullptr, *db_ = nullptr;
  void forward_spikes(float* out);
  void backward_weights_spikes(const float* dout);
  void backward_input_at(const float* dout, float* din);

  const float* x_ = nullptr;  // cached input [Tin*B, I]
  bool spike_input_ = false, sparse_ = false;
  SynapsePath path_ = SynapsePath::Auto;
  double crossover_ = kDefaultCrossover, density_ = 1;
  SpikeBits bits_;                  // [Tin*B, I] the input spikes
  std::vector<int64_t> spike_off_;  // forward_spikes: each row's spike list in spike_idx_
  std::vector<int32_t> spike_idx_;
  Tensor wt_;         // [I, O] W^T (forward) or dW^T partials (backward)
  Tensor w_scratch_;  // [O, I] the partials transposed back (backward)
  const ActiveSet* din_needed_ = nullptr;
};

}  // namespace spikeforge
