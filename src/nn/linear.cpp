#include "nn/linear.h"

#include "core/blas.h"
#include "nn/init.h"

namespace spikeforge {

Linear::Linear(FeatShape in, int out_features, bool bias)
    : I_(static_cast<int>(in.size())), O_(out_features), bias_(bias) {
  in_ = in;
  out_ = {out_features, 1, 1};
}

void Linear::bind(float* params, float* grads) {
  W_ = params;
  dW_ = grads;
  b_ = bias_ ? params + int64_t(O_) * I_ : nullptr;
  db_ = bias_ ? grads + int64_t(O_) * I_ : nullptr;
}

void Linear::init_params(InitKind kind, Rng& rng) {
  init_weights(kind, I_, W_, int64_t(O_) * I_, b_, bias_ ? O_ : 0, rng);
}

void Linear::forward(const float* in, float* out, bool) {
  x_ = in;
  const int R = Tin_ * B_;
  if (bias_) {
#pragma omp parallel for schedule(static)
    for (int r = 0; r < R; ++r)
      for (int o = 0; o < O_; ++o) out[int64_t(r) * O_ + o] = b_[o];
  }
  gemm_nt(R, O_, I_, 1.f, in, W_, bias_ ? 1.f : 0.f, out);  // y = x W^T (+ b)
}

void Linear::backward(const float* dout, float* din) {
  const int R = Tin_ * B_;
  gemm_tn(O_, I_, R, 1.f, dout, x_, 1.f, dW_);  // dW += dy^T x
  if (bias_)
    for (int r = 0; r < R; ++r)  // db += sum_r dy  (R*O adds: not worth threads)
      for (int o = 0; o < O_; ++o) db_[o] += dout[int64_t(r) * O_ + o];
  if (din) gemm_nn(R, I_, O_, 1.f, dout, W_, 0.f, din);  // dx = dy W
}

}  // namespace spikeforge
