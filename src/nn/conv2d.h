// 2-D convolution (cross-correlation, as PyTorch) over the Tin*B images of
// the sequence. Images go in chunks of nb: their columns sit side by side in
// one matrix, so each chunk is one large sgemm (one per image was 2.5x slower:
// small products spend their time packing W). Chunks are split across
// threads, each with its own buffers and gradient partial (deterministic).
//   forward:  col   = [im2col(x_n) for n in chunk]       [C*K*K, nb*Ho*Wo]
//             Y     = W[O, C*K*K] col                    [O, nb*Ho*Wo]
//             y_n   = Y[:, n] + b[O]                     [O, Ho*Wo] per image
//   backward: dY    = [dy_n for n in chunk]              [O, nb*Ho*Wo]
//             dW   += dY col^T,  db += sum_p dY[:, p]
//             dx_n  = col2im((W^T dY)[:, n])
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

  float* weight() { return W_; }  // [O, C, K, K]
  float* bias() { return b_; }    // [O] or nullptr
  int out_channels() const { return O_; }
  const ConvGeom& geom() const { return g_; }

 private:
  ConvGeom g_;
  int O_;
  bool bias_;
  float *W_ = nullptr, *b_ = nullptr, *dW_ = nullptr, *db_ = nullptr;
  const float* x_ = nullptr;
  int chunk_ = 1;  // images per sgemm
  Tensor col_;     // [threads, C*K*K, chunk*Ho*Wo] columns, then W^T dY in backward
  Tensor ybuf_;    // [threads, O, chunk*Ho*Wo] Y in forward, dY in backward
  Tensor dW_th_;   // [threads, O*C*K*K + O] per-thread gradient partials
};

}  // namespace spikeforge
