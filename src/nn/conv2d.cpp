#include "nn/conv2d.h"

#include <omp.h>

#include "core/blas.h"
#include "core/error.h"
#include "nn/init.h"

namespace spikeforge {

Conv2d::Conv2d(FeatShape in, int out_channels, int kernel, int stride, int pad, bool bias)
    : O_(out_channels), bias_(bias) {
  in_ = in;
  g_ = {in.C, in.H, in.W, kernel, stride, pad, 0, 0};
  g_.Ho = (in.H + 2 * pad - kernel) / stride + 1;
  g_.Wo = (in.W + 2 * pad - kernel) / stride + 1;
  if (kernel < 1 || stride < 1 || pad < 0 || g_.Ho < 1 || g_.Wo < 1)
    throw ShapeError("conv2d: kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) + ", pad " +
                     std::to_string(pad) + " do not fit input " + in.str());
  out_ = {O_, g_.Ho, g_.Wo};
}

void Conv2d::bind(float* params, float* grads) {
  const int64_t nw = int64_t(O_) * g_.col_rows();
  W_ = params;
  dW_ = grads;
  b_ = bias_ ? params + nw : nullptr;
  db_ = bias_ ? grads + nw : nullptr;
}

void Conv2d::init_params(InitKind kind, Rng& rng) {
  init_weights(kind, g_.col_rows(), W_, int64_t(O_) * g_.col_rows(), b_, bias_ ? O_ : 0, rng);
}

void Conv2d::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  Layer::prepare(Tin, T, B);
  const int nt = omp_get_max_threads();
  col_.resize({nt, g_.col_rows(), g_.col_cols()});
  dcol_.resize({nt, g_.col_rows(), g_.col_cols()});
  dW_th_.resize({nt, param_count()});
}

void Conv2d::forward(const float* in, float* out, bool) {
  x_ = in;
  const int N = Tin_ * B_, KK = g_.col_rows(), P = g_.col_cols();
  const int64_t in_sz = in_.size(), out_sz = out_.size();
#pragma omp parallel
  {
    float* col = col_.data() + int64_t(omp_get_thread_num()) * KK * P;
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      float* y = out + n * out_sz;
      im2col(g_, in + n * in_sz, col);
      if (bias_)
        for (int o = 0; o < O_; ++o)
          for (int p = 0; p < P; ++p) y[o * P + p] = b_[o];
      gemm_nn(O_, P, KK, 1.f, W_, col, bias_ ? 1.f : 0.f, y);  // y_n = W col_n (+ b)
    }
  }
}

void Conv2d::backward(const float* dout, float* din) {
  const int N = Tin_ * B_, KK = g_.col_rows(), P = g_.col_cols();
  const int64_t in_sz = in_.size(), out_sz = out_.size(), np = param_count(), nw = int64_t(O_) * KK;
  dW_th_.fill(0.f);
#pragma omp parallel
  {
    const int th = omp_get_thread_num();
    float* col = col_.data() + int64_t(th) * KK * P;
    float* dcol = dcol_.data() + int64_t(th) * KK * P;
    float* dW = dW_th_.data() + th * np;
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      const float* dy = dout + n * out_sz;
      im2col(g_, x_ + n * in_sz, col);
      gemm_nt(O_, KK, P, 1.f, dy, col, 1.f, dW);  // dW += dy_n col_n^T
      if (bias_)
        for (int o = 0; o < O_; ++o)
          for (int p = 0; p < P; ++p) dW[nw + o] += dy[o * P + p];  // db += sum_p dy_n
      if (din) {
        gemm_tn(KK, P, O_, 1.f, W_, dy, 0.f, dcol);  // dcol = W^T dy_n
        col2im(g_, dcol, din + n * in_sz);           // dx_n = col2im(dcol)
      }
    }
  }
  // Reduce the per-thread partials in thread order: deterministic for a thread count.
  const int nt = static_cast<int>(dW_th_.shape()[0]);
  for (int th = 0; th < nt; ++th) {
    const float* part = dW_th_.data() + th * np;
    for (int64_t i = 0; i < nw; ++i) dW_[i] += part[i];
    if (bias_)
      for (int o = 0; o < O_; ++o) db_[o] += part[nw + o];
  }
}

}  // namespace spikeforge
