#include "nn/linear.h"

#include <algorithm>

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
  if (spike_input_) {
    density_ = double(bits_.pack(in, R, I_)) / (double(R) * I_);
    sparse_ = path_ == SynapsePath::Sparse || (path_ == SynapsePath::Auto && density_ < crossover_);
    if (sparse_) return forward_spikes(out);
  }
  if (bias_) {
#pragma omp parallel for schedule(static)
    for (int r = 0; r < R; ++r)
      for (int o = 0; o < O_; ++o) out[int64_t(r) * O_ + o] = b_[o];
  }
  gemm_nt(R, O_, I_, 1.f, in, W_, bias_ ? 1.f : 0.f, out);  // y = x W^T (+ b)
}

void Linear::backward(const float* dout, float* din) {
  const int R = Tin_ * B_;
  if (spike_input_ && sparse_)
    backward_weights_spikes(dout);
  else
    gemm_tn(O_, I_, R, 1.f, dout, x_, 1.f, dW_);  // dW += dy^T x
  if (bias_)
    for (int r = 0; r < R; ++r)  // db += sum_r dy  (R*O adds: not worth threads)
      for (int o = 0; o < O_; ++o) db_[o] += dout[int64_t(r) * O_ + o];
  if (din) gemm_nn(R, I_, O_, 1.f, dout, W_, 0.f, din);  // dx = dy W
}

}  // namespace spikeforge

namespace spikeforge {

// Columns of W^T per accumulator block: 4 AVX-512 registers, kept in
// registers across a row's spikes.
constexpr int kOutBlock = 64;

// y[r, :] = b + sum over the row's spikes i of Wt[i, :]
void Linear::forward_spikes(float* out) {
  const int R = Tin_ * B_, O = O_, I = I_;
  wt_.resize({I, O});
  float* wt = wt_.data();
#pragma omp parallel for schedule(static)
  for (int i = 0; i < I; ++i)
    for (int o = 0; o < O; ++o) wt[int64_t(i) * O + o] = W_[int64_t(o) * I + i];
#pragma omp parallel for schedule(static)
  for (int r = 0; r < R; ++r) {
    float* y = out + int64_t(r) * O;
    for (int o0 = 0; o0 < O; o0 += kOutBlock) {
      const int n = std::min(kOutBlock, O - o0);
      alignas(64) float acc[kOutBlock];
      for (int o = 0; o < n; ++o) acc[o] = b_ ? b_[o0 + o] : 0.f;
      if (n == kOutBlock)
        bits_.for_each(r, [&](int64_t i) {
          const float* __restrict w = wt + i * O + o0;
#pragma omp simd aligned(acc : 64)
          for (int o = 0; o < kOutBlock; ++o) acc[o] += w[o];
        });
      else
        bits_.for_each(r, [&](int64_t i) {
          const float* __restrict w = wt + i * O + o0;
          for (int o = 0; o < n; ++o) acc[o] += w[o];
        });
      for (int o = 0; o < n; ++o) y[o0 + o] = acc[o];
    }
  }
}

// dWt[i, :] += sum over rows r where x[r, i] = 1 of dy[r, :]; each thread owns
// a block of outputs (no races, a fixed order), then dW += dWt^T.
void Linear::backward_weights_spikes(const float* dout) {
  const int R = Tin_ * B_, O = O_, I = I_;
  wt_.resize({I, O});
  wt_.fill(0.f);
  float* dwt = wt_.data();
  const int blocks = (O + kOutBlock - 1) / kOutBlock;
#pragma omp parallel for schedule(static)
  for (int blk = 0; blk < blocks; ++blk) {
    const int o0 = blk * kOutBlock, n = std::min(kOutBlock, O - o0);
    for (int r = 0; r < R; ++r) {
      const float* __restrict dy = dout + int64_t(r) * O + o0;
      bits_.for_each(r, [&](int64_t i) {
        float* __restrict d = dwt + i * O + o0;
        for (int o = 0; o < n; ++o) d[o] += dy[o];
      });
    }
  }
#pragma omp parallel for schedule(static)
  for (int o = 0; o < O; ++o)
    for (int i = 0; i < I; ++i) dW_[int64_t(o) * I + i] += dwt[int64_t(i) * O + o];
}

}  // namespace spikeforge
