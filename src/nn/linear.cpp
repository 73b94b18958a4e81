#include "nn/linear.h"

#include <algorithm>
#include <cstring>

#include "core/blas.h"
#include "core/simd16.h"
#include "core/threads.h"
#include "nn/init.h"
#include "nn/neuron_scan.h"

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
  if (bias_) add_row_sums(R, O_, dout, db_);      // db += sum_r dy
  if (din && din_needed_ && din_needed_->rows == R) return backward_input_at(dout, din);
  if (din) gemm_nn(R, I_, O_, 1.f, dout, W_, 0.f, din);  // dx = dy W
}

// dx[r, i] = sum_o dy[r, o] W[o, i] at the needed entries; the rest unwritten.
void Linear::backward_input_at(const float* dout, float* din) {
  const ActiveSet& s = *din_needed_;
  const int O = O_, I = I_;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < s.rows; ++r) {
    const float* dy = dout + r * O;
    for (int64_t k = s.row_start[r]; k < s.row_start[r + 1]; ++k) {
      const int i = s.idx[k];
      float acc = 0.f;
      for (int o = 0; o < O; ++o) acc += dy[o] * W_[int64_t(o) * I + i];
      din[r * I + i] = acc;
    }
  }
}

}  // namespace spikeforge

namespace spikeforge {

// Columns of W^T per accumulator block: four 16-float vectors (GCC vector
// extensions: AVX-512 registers where the CPU has them, AVX pairs where not),
// kept in registers across a row's spikes.
constexpr int kOutBlock = 64;
// Columns of W^T per cache tile: I x 256 floats (784 KB for I = 784) stay in a
// core's L2 while every row's spikes read them, instead of each row pulling its
// spikes' whole weight rows from memory.
constexpr int kColTile = 256;

// y[o0 .. o0 + 16 NV) = b + sum over the spikes s of Wt[s, o0 .. o0 + 16 NV):
// NV = 4 for the 64-column blocks, NV = 1 for the last 16-column pieces.
template <int NV>
static inline void accumulate_block(const float* wt, int64_t O, int o0, const int32_t* s0, const int32_t* s1,
                                    const float* b, float* y) {
  V16 a[NV] = {};
  if (b)
    for (int v = 0; v < NV; ++v) a[v] = load16(b + o0 + 16 * v);
  for (const int32_t* s = s0; s != s1; ++s) {
    const float* w = wt + int64_t(*s) * O + o0;
    for (int v = 0; v < NV; ++v) a[v] += load16(w + 16 * v);
  }
  for (int v = 0; v < NV; ++v) store16(y + o0 + 16 * v, a[v]);
}

// y[r, :] = b + sum over the row's spikes i of Wt[i, :]
void Linear::forward_spikes(float* out) {
  const int R = Tin_ * B_, O = O_, I = I_;
  wt_.resize({I, O});
  float* wt = wt_.data();
  transpose(O, I, W_, wt);
  bits_.index_lists(spike_off_, spike_idx_);
  const int64_t* off = spike_off_.data();
  const int32_t* idx = spike_idx_.data();
  for (int t0 = 0; t0 < O; t0 += kColTile) {
    const int t1 = std::min(O, t0 + kColTile);
#pragma omp parallel for schedule(static)
    for (int r = 0; r < R; ++r) {
      float* y = out + int64_t(r) * O;
      const int32_t *s0 = idx + off[r], *s1 = idx + off[r + 1];
      int o0 = t0;
      for (; o0 + kOutBlock <= t1; o0 += kOutBlock) accumulate_block<kOutBlock / 16>(wt, O, o0, s0, s1, b_, y);
      // the last columns: 16 at a time, then one by one
      for (; o0 + 16 <= t1; o0 += 16) accumulate_block<1>(wt, O, o0, s0, s1, b_, y);
      for (int o = o0; o < t1; ++o) {
        float acc = b_ ? b_[o] : 0.f;
        for (const int32_t* s = s0; s != s1; ++s) acc += wt[int64_t(*s) * O + o];
        y[o] = acc;
      }
    }
  }
}

// dWt[i, :] += sum over rows r where x[r, i] = 1 of dy[r, :]; each thread owns
// a block of outputs (no races, a fixed order), then dW += dWt^T.
void Linear::backward_weights_spikes(const float* dout) {
  const int R = Tin_ * B_, O = O_, I = I_, nt = omp_get_max_threads();
  const int blocks = (O + kOutBlock - 1) / kOutBlock;
  // Few outputs (one block, as a 10-way read-out): split the rows instead, each
  // thread with its own dWt partial, added in thread order (deterministic).
  const bool by_rows = blocks < nt && int64_t(I) * O * nt <= (int64_t(1) << 22);
  wt_.resize({by_rows ? nt : 1, I, O});
  wt_.fill(0.f);
  float* dwt = wt_.data();
  // dst[i, o0 .. o0 + n) += dy[r, o0 .. o0 + n) for the spikes i of rows [r0, r1)
  auto add_rows = [&](int64_t r0, int64_t r1, int o0, int n, float* dst) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* __restrict dy = dout + r * O + o0;
      bits_.for_each(r, [&](int64_t i) {
        float* __restrict d = dst + i * O + o0;
        for (int o = 0; o < n; ++o) d[o] += dy[o];
      });
    }
  };
  if (by_rows) {
#pragma omp parallel
    {
      int64_t lo, hi;
      thread_slice(R, lo, hi);
      add_rows(lo, hi, 0, O, dwt + int64_t(omp_get_thread_num()) * I * O);
    }
    add_partials(dwt + int64_t(I) * O, nt - 1, int64_t(I) * O, int64_t(I) * O, dwt);  // partial 0 += 1, 2, ...
  } else {
#pragma omp parallel for schedule(static)
    for (int blk = 0; blk < blocks; ++blk)
      add_rows(0, R, blk * kOutBlock, std::min(kOutBlock, O - blk * kOutBlock), dwt);
  }
  w_scratch_.resize({O, I});
  float* dw = w_scratch_.data();
  transpose(I, O, dwt, dw);
  axpy(int64_t(O) * I, 1.f, dw, dW_);  // dW += dW^T^T
}

}  // namespace spikeforge
