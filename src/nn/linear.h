// Fully connected synapses: y = x W^T + b over all Tin*B rows at once.
//   forward:  y[R, O] = x[R, I] W[O, I]^T + b[O]        R = Tin * B
//   backward: dW[O, I] += dy[R, O]^T x[R, I]
//             db[O]    += sum_r dy[r, O]
//             dx[R, I]  = dy[R, O] W[O, I]
// Weight layout [out, in] as PyTorch's nn.Linear. Cache: the input (by pointer).
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class Linear : public Layer {
 public:
  Linear(FeatShape in, int out_features, bool bias = true);
  std::string kind() const override { return "linear"; }
  int64_t param_count() const override { return int64_t(O_) * I_ + (bias_ ? O_ : 0); }
  void bind(float* params, float* grads) override;
  void init_params(InitKind kind, Rng& rng) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;

  float* weight() { return W_; }  // [O, I]
  float* bias() { return b_; }    // [O] or nullptr

 private:
  int I_, O_;
  bool bias_;
  float *W_ = nullptr, *b_ = nullptr, *dW_ = nullptr, *db_ = nullptr;
  const float* x_ = nullptr;  // cached input [Tin*B, I]
};

}  // namespace spikeforge
