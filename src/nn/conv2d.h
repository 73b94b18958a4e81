// 2-D convolution (cross-correlation, as PyTorch), one sgemm per image over
// the Tin*B images of the sequence, images split across threads.
//   forward:  col_n = im2col(x_n)                       [C*K*K, Ho*Wo]
//             y_n   = W[O, C*K*K] col_n + b[O]          [O, Ho*Wo]
//   backward: dW   += sum_n dy_n col_n^T
//             db   += sum_n sum_p dy_n[:, p]
//             dx_n  = col2im(W^T dy_n)
// Weight layout [O, C, K, K] as PyTorch. Cache: the input (by pointer);
// columns are recomputed in backward rather than stored (T*B*C*K*K*Ho*Wo floats).
#pragma once
#include "core/tensor.h"
#include "nn/im2col.h"
#include "nn/layer.h"

namespace spikeforge {

class Conv2d : public Layer {
 public:
  Conv2d(FeatShape in, int out_channels, int kernel, int stride, int pad, bool bias = true);
  std::string kind() const override { return "conv2d"; }
  int64_t param_count() const override { return int64_t(O_) * g_.col_rows() + (bias_ ? O_ : 0); }
  void bind(float* params, float* grads) override;
  void init_params(InitKind kind, Rng& rng) override;
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;

  float* weight() { return W_; }
  float* bias() { return b_; }
  const ConvGeom& geom() const { return g_; }

 private:
  ConvGeom g_;
  int O_;
  bool bias_;
  float *W_ = nullptr, *b_ = nullptr, *dW_ = nullptr, *db_ = nullptr;
  const float* x_ = nullptr;
  Tensor col_;    // [threads, C*K*K, Ho*Wo] per-thread columns
  Tensor dcol_;   // [threads, C*K*K, Ho*Wo]
  Tensor dW_th_;  // [threads, O*C*K*K + O] per-thread gradient partials
};

}  // namespace spikeforge
