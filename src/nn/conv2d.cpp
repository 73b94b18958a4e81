#include "nn/conv2d.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/blas.h"
#include "core/error.h"
#include "core/threads.h"
#include "nn/init.h"

namespace spikeforge {

Conv2d::Conv2d(FeatShape in, int out_channels, int kernel, int stride, int pad, bool bias)
    : O_(out_channels), bias_(bias) {
  in_ = in;
  g_ = {in.C, in.H, in.W, kernel, stride, pad, 0, 0};
  if (stride >= 1) {  // checked before dividing by it
    g_.Ho = (in.H + 2 * pad - kernel) / stride + 1;
    g_.Wo = (in.W + 2 * pad - kernel) / stride + 1;
  }
  if (kernel < 1 || stride < 1 || pad < 0 || g_.Ho < 1 || g_.Wo < 1)
    throw ShapeError("conv2d: kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) + ", pad " +
                     std::to_string(pad) + " do not fit input " + in.str());
  out_ = {O_, g_.Ho, g_.Wo};
  taps_ = make_tap_table(g_);
  set_path(SynapsePath::Auto);
}

double Conv2d::crossover_for(int O, int out_pixels) {
  const double d = kDefaultCrossover * std::sqrt(O / 64.0) * std::pow(196.0 / out_pixels, 0.2);
  return std::clamp(d, 0.05, 0.9);
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

// Columns per sgemm the chunking aims at: wide enough that packing W is
// amortised, small enough that a thread's buffers stay in L2.
constexpr int kChunkColumns = 2048;

void Conv2d::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  Layer::prepare(Tin, T, B);
  const int nt = omp_get_max_threads(), P = g_.col_cols();
  // One image per sgemm when it is wide enough: then Y is the output itself and
  // dY is dout itself, saving two copies of the activations.
  chunk_ = std::clamp(kChunkColumns / P, 1, std::max(1, Tin * B / nt));
  if (P >= kChunkColumns / 4) chunk_ = 1;
  // Even out the threads' shares: a whole number of chunks per thread
  // (7 chunks of 41 on 2 threads was a 4 : 3 split).
  const int per_thread = (Tin * B + int64_t(chunk_) * nt - 1) / (int64_t(chunk_) * nt);
  chunk_ = std::max(1, (Tin * B + per_thread * nt - 1) / (per_thread * nt));
  col_.resize({nt, g_.col_rows(), int64_t(chunk_) * P});
  ybuf_.resize({nt, O_, int64_t(chunk_) * P});
  dW_th_.resize({nt, param_count()});
}

// db[o] += sum_{p < n} dY[o * ld + p]: the bias gradient of O rows of length n.
static void add_bias_grad(const float* dY, int O, int64_t n, int64_t ld, float* db) {
  for (int o = 0; o < O; ++o) {
    float sb = 0;
#pragma omp simd reduction(+ : sb)
    for (int64_t p = 0; p < n; ++p) sb += dY[o * ld + p];
    db[o] += sb;
  }
}

double Conv2d::pack_input_masks(const float* in) {
  const int N = Tin_ * B_;
  const int64_t in_sz = in_.size(), mw = mask_words_per_image();
  masks_.resize(size_t(N * mw));
  int64_t count = 0;
#pragma omp parallel for schedule(static) reduction(+ : count)
  for (int n = 0; n < N; ++n) count += pack_channel_masks(g_, planes(), in + n * in_sz, masks_.data() + n * mw);
  return double(count) / (double(N) * in_sz);
}

// y_n = (b + spiking taps' rows of Wt)^T, one image per iteration.
void Conv2d::forward_spikes(float* out) {
  const int N = Tin_ * B_, KK = g_.col_rows(), P = g_.col_cols();
  const int64_t out_sz = out_.size(), mw = mask_words_per_image();
  wt_.resize({KK, O_});
  transpose(O_, KK, W_, wt_.data());
#pragma omp parallel
  {
    float* yT = ybuf_.data() + int64_t(omp_get_thread_num()) * O_ * chunk_ * P;  // [P, O]
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      spike_conv_forward(g_, planes(), O_, masks_.data() + n * mw, wt_.data(), b_, yT);
      transpose(P, O_, yT, out + n * out_sz);
    }
  }
}

// Per-thread dWt [C*K*K, O] and db partials from each image's spikes and dy_n^T.
void Conv2d::weight_grad_spikes(const float* dout) {
  const int N = Tin_ * B_, P = g_.col_cols();
  const int64_t out_sz = out_.size(), np = param_count(), nw = int64_t(O_) * g_.col_rows();
  const int64_t mw = mask_words_per_image();
#pragma omp parallel
  {
    const int th = omp_get_thread_num();
    float* dyT = ybuf_.data() + int64_t(th) * O_ * chunk_ * P;  // [P, O]
    float* part = dW_th_.data() + th * np;
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      const float* dy = dout + n * out_sz;
      if (bias_) add_bias_grad(dy, O_, P, P, part + nw);  // db += sum_p dy
      transpose(O_, P, dy, dyT);
      spike_conv_weight_grad(g_, planes(), O_, masks_.data() + n * mw, dyT, part);
    }
  }
}

// dW += the per-thread partials in thread order (deterministic for a thread
// count); transposed: the partials hold dWt [C*K*K, O] (spike path).
void Conv2d::reduce_weight_partials(bool transposed) {
  const int nt = static_cast<int>(dW_th_.shape()[0]), KK = g_.col_rows();
  const int64_t np = param_count(), nw = int64_t(O_) * KK;
  if (!transposed) return add_partials(dW_th_.data(), nt, np, np, dW_);  // [W, b] is one range
  for (int th = 0; th < nt; ++th) {
    const float* part = dW_th_.data() + th * np;
    for (int o = 0; o < O_; ++o)
      for (int k = 0; k < KK; ++k) dW_[int64_t(o) * KK + k] += part[int64_t(k) * O_ + o];
    if (bias_)
      for (int o = 0; o < O_; ++o) db_[o] += part[nw + o];
  }
}

void Conv2d::forward(const float* in, float* out, bool) {
  x_ = in;
  sparse_ = false;
  const bool auto_may_use_spikes = path_ == SynapsePath::Auto && in_.C >= kMinSpikeChannels;
  if ((spike_input_ || max_count_ > 0) && (path_ == SynapsePath::Sparse || auto_may_use_spikes)) {
    density_ = pack_input_masks(in);
    sparse_ = path_ == SynapsePath::Sparse || density_ < crossover_;
    if (sparse_) return forward_spikes(out);
  }
  const int N = Tin_ * B_, KK = g_.col_rows(), P = g_.col_cols(), chunks = (N + chunk_ - 1) / chunk_;
  const int64_t in_sz = in_.size(), out_sz = out_.size();
#pragma omp parallel
  {
    const int th = omp_get_thread_num();
    float* col = col_.data() + int64_t(th) * KK * chunk_ * P;
    float* Y = ybuf_.data() + int64_t(th) * O_ * chunk_ * P;
#pragma omp for schedule(static)
    for (int c = 0; c < chunks; ++c) {
      const int n0 = c * chunk_, nb = std::min(chunk_, N - n0);
      const int64_t ld = int64_t(nb) * P;
      for (int j = 0; j < nb; ++j) im2col(g_, taps_, in + (n0 + j) * in_sz, col + j * P, ld);
      if (nb == 1) {  // y_n = W col + b, straight into the output
        float* y = out + n0 * out_sz;
        for (int o = 0; o < O_; ++o) std::fill(y + int64_t(o) * P, y + int64_t(o + 1) * P, bias_ ? b_[o] : 0.f);
        gemm_nn(O_, P, KK, 1.f, W_, col, 1.f, y);
        continue;
      }
      gemm_nn(O_, int(ld), KK, 1.f, W_, col, 0.f, Y);  // Y = W col
      for (int j = 0; j < nb; ++j)
        for (int o = 0; o < O_; ++o) {
          const float* src = Y + o * ld + j * P;
          float* y = out + (n0 + j) * out_sz + int64_t(o) * P;
          const float bo = bias_ ? b_[o] : 0.f;
#pragma omp simd
          for (int p = 0; p < P; ++p) y[p] = src[p] + bo;  // y_n = Y[:, n] + b
        }
    }
  }
}

void Conv2d::backward(const float* dout, float* din) {
  const int N = Tin_ * B_, KK = g_.col_rows(), P = g_.col_cols(), chunks = (N + chunk_ - 1) / chunk_;
  const int64_t in_sz = in_.size(), out_sz = out_.size(), np = param_count(), nw = int64_t(O_) * KK;
  dW_th_.fill(0.f);
  if (sparse_) weight_grad_spikes(dout);
  if (sparse_ && !din) return reduce_weight_partials(true);
#pragma omp parallel
  {
    const int th = omp_get_thread_num();
    float* col = col_.data() + int64_t(th) * KK * chunk_ * P;
    float* dYbuf = ybuf_.data() + int64_t(th) * O_ * chunk_ * P;
    float* dW = dW_th_.data() + th * np;
#pragma omp for schedule(static)
    for (int c = 0; c < chunks; ++c) {
      const int n0 = c * chunk_, nb = std::min(chunk_, N - n0);
      const int64_t ld = int64_t(nb) * P;
      const float* dY = nb == 1 ? dout + n0 * out_sz : dYbuf;  // dY[:, n] = dy_n
      if (nb > 1)
        for (int j = 0; j < nb; ++j)
          for (int o = 0; o < O_; ++o) {
            const float* src = dout + (n0 + j) * out_sz + int64_t(o) * P;
            std::copy(src, src + P, dYbuf + o * ld + j * P);
          }
      if (bias_ && !sparse_) add_bias_grad(dY, O_, ld, ld, dW + nw);  // db += sum_p dY
      if (!sparse_) {
        for (int j = 0; j < nb; ++j) im2col(g_, taps_, x_ + (n0 + j) * in_sz, col + j * P, ld);
        gemm_nt(O_, KK, int(ld), 1.f, dY, col, 1.f, dW);  // dW += dY col^T
      }
      if (din) {
        gemm_tn(KK, int(ld), O_, 1.f, W_, dY, 0.f, col);  // col = W^T dY (columns no longer needed)
        for (int j = 0; j < nb; ++j) col2im(g_, taps_, col + j * P, ld, din + (n0 + j) * in_sz);  // dx_n
      }
    }
  }
  reduce_weight_partials(sparse_);
}

}  // namespace spikeforge
