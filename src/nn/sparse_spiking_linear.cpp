#include "nn/sparse_spiking_linear.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/blas.h"
#include "core/error.h"
#include "core/threads.h"
#include "nn/neuron_scan.h"

namespace spikeforge {

SparseSpikingLinear::SparseSpikingLinear(FeatShape in, int units, bool bias, SpikingParams p)
    : lin_(in, units, bias), p_(p), I_(int(in.size())), N_(units) {
  in_ = in;
  out_ = {units, 1, 1};
  if (!(p.surrogate_band > 0))
    throw ShapeError("linear_lif: surrogate_band = " + std::to_string(p.surrogate_band) +
                     ", expected > 0 for the sparse backward (the band defines the active neurons)");
  p_.lif.reset = ResetKind::Soft;
  p_.lif.detach_reset = true;
}

void SparseSpikingLinear::bind(float* params, float* grads) {
  lin_.bind(params, grads);
  W_ = params;
  dW_ = grads;
  db_ = lin_.bias() ? grads + int64_t(N_) * I_ : nullptr;
}

void SparseSpikingLinear::prepare(int Tin, int T, int B) {
  if (Tin != T)
    throw ShapeError("linear_lif: input has " + std::to_string(Tin) + " steps, expected T = " + std::to_string(T) +
                     " (the sparse backward takes spike trains)");
  if (!lin_.spike_input())
    throw ShapeError("linear_lif: its input is not spikes, expected a spike-coded input or a spiking layer before it");
  Layer::prepare(Tin, T, B);
  lin_.prepare(Tin, T, B);
  cur_.resize({T, B, N_});
  v_.resize({T, B, N_});
  row_start_.assign(size_t(T) * B + 1, 0);
  part_.assign(size_t(omp_get_max_threads()) * (size_t(N_) * I_ + N_), 0.f);
  scratch_.resize(size_t(omp_get_max_threads()));
  for (Scratch& sc : scratch_) sc.acc.resize(size_t(I_));
  // Trace scaling: beta^k for k <= T, and beta^-k below the largest L with beta^-L <= 2^40.
  const double beta = p_.lif.beta;
  rebase_ = beta >= 1.0 ? T : beta <= 0.0 ? 1 : int(std::clamp(40.0 * std::log(2.0) / -std::log(beta), 1.0, double(T)));
  pow_.resize(size_t(T) + 1);
  inv_pow_.resize(size_t(rebase_));
  for (int k = 0; k <= T; ++k) pow_[k] = float(std::pow(beta, k));
  for (int k = 0; k < rebase_; ++k) inv_pow_[k] = float(std::pow(beta, -k));
}

void SparseSpikingLinear::forward(const float* in, float* out, bool train) {
  lin_.forward(in, cur_.data(), train);  // I_t = W x_t + b
  const int64_t R = int64_t(T_) * B_, N = N_;
  const LifParams& q = p_.lif;
  spikes_ +=
      lif_forward_scan(LifNeuron<ResetKind::Soft>{q.beta, q.theta, true}, cur_.data(), T_, T_, B_ * N, v_.data(), out);
  // The active set, row by row in order: count, prefix sum, fill.
  const float* v = v_.data();
  const float theta = q.theta, band = p_.surrogate_band;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < R; ++r) {
    int64_t c = 0;
    for (int64_t j = 0; j < N; ++j) c += std::fabs(v[r * N + j] - theta) < band;
    row_start_[r + 1] = c;
  }
  for (int64_t r = 0; r < R; ++r) row_start_[r + 1] += row_start_[r];
  idx_.resize(size_t(row_start_[R]));
  g_.resize(idx_.size());
  active_ = {row_start_.data(), idx_.data(), R};
  visit_surrogate(p_.surrogate, p_.surrogate_width, band, [&](auto sg) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < R; ++r) {
      int64_t k = row_start_[r];
      for (int64_t j = 0; j < N; ++j) {
        const float u = v[r * N + j] - theta;
        if (std::fabs(u) < band) idx_[k] = int32_t(j), g_[k++] = sg.grad(u);
      }
    }
  });
}

// dW[j, :] += e_t[j] tr_t over the samples' active entries, with the scaled
// traces tr_t = beta^(t - t0) S_b (S_b changes only at input spikes); db[j] +=
// e_t[j] (1 - beta^(t+1)) / (1 - beta).
void SparseSpikingLinear::weight_grads_of_samples(int b0, int b1, const float* dout, float* dW, float* db,
                                                  Scratch& sc) const {
  const int T = T_, B = B_, I = I_, N = N_;
  const int64_t nS = int64_t(b1 - b0) * I;
  const float beta = p_.lif.beta;
  const SpikeBits& bits = lin_.input_bits();
  if (int64_t(sc.S.size()) < nS) sc.S.resize(size_t(nS));
  float* S = sc.S.data();
  std::fill(S, S + nS, 0.f);
  int t0 = 0;
  float bias_trace = 0;  // sum_{t' <= t} beta^(t - t')
  for (int t = 0; t < T; ++t) {
    if (t - t0 == rebase_) {  // move the base: S *= beta^L
      const float f = pow_[rebase_];
      for (int64_t e = 0; e < nS; ++e) S[e] *= f;
      t0 = t;
    }
    const float up = inv_pow_[t - t0], down = pow_[t - t0];
    bias_trace = beta * bias_trace + 1.f;
    for (int b = b0; b < b1; ++b) {
      const int64_t r = int64_t(t) * B + b;
      float* Sb = S + int64_t(b - b0) * I;
      bits.for_each(r, [&](int64_t i) { Sb[i] += up; });
      for (int64_t k = row_start_[r]; k < row_start_[r + 1]; ++k) {
        const int j = idx_[k];
        const float e = dout[r * N + j] * g_[k];  // e_t = ds_t g_t
        if (e == 0.f) continue;
        const float c = e * down;
        float* __restrict w = dW + int64_t(j) * I;
        const float* __restrict x = Sb;
#pragma omp simd
        for (int i = 0; i < I; ++i) w[i] += c * x[i];
        db[j] += e * bias_trace;
      }
    }
  }
}

// dx_t = u_t + beta dx_{t+1}, u_t = sum over active j of e_t[j] W[j, :], every entry of sample b.
void SparseSpikingLinear::input_grads_of_sample(int b, const float* dout, float* din, float* acc) const {
  const int T = T_, B = B_, I = I_, N = N_;
  const float beta = p_.lif.beta;
  std::fill(acc, acc + I, 0.f);
  for (int t = T - 1; t >= 0; --t) {
    const int64_t r = int64_t(t) * B + b;
    for (int i = 0; i < I; ++i) acc[i] *= beta;
    for (int64_t k = row_start_[r]; k < row_start_[r + 1]; ++k) {
      const int j = idx_[k];
      const float e = dout[r * N + j] * g_[k];
      if (e == 0.f) continue;
      const float* __restrict w = W_ + int64_t(j) * I;
      float* __restrict a = acc;
#pragma omp simd
      for (int i = 0; i < I; ++i) a[i] += e * w[i];
    }
    std::copy(acc, acc + I, din + r * I);
  }
}

// dx_t[i] = dv_t . W[:, i] at the needed entries of samples [b0, b1), with
// dv_t = e_t + beta dv_{t+1} kept per sample over the N neurons; the other
// entries unwritten.
void SparseSpikingLinear::input_grads_at_needed(int b0, int b1, const float* dout, float* din, Scratch& sc) const {
  const int T = T_, B = B_, I = I_, N = N_;
  const float beta = p_.lif.beta;
  const ActiveSet& need = *din_needed_;
  const float* wt = wt_.data();
  const int64_t nD = int64_t(b1 - b0) * N;
  if (int64_t(sc.D.size()) < nD) sc.D.resize(size_t(nD));
  std::fill(sc.D.begin(), sc.D.begin() + nD, 0.f);
  for (int t = T - 1; t >= 0; --t)
    for (int b = b0; b < b1; ++b) {
      const int64_t r = int64_t(t) * B + b;
      float* __restrict dv = sc.D.data() + int64_t(b - b0) * N;
#pragma omp simd
      for (int j = 0; j < N; ++j) dv[j] *= beta;  // beta dv_{t+1}
      for (int64_t k = row_start_[r]; k < row_start_[r + 1]; ++k) dv[idx_[k]] += dout[r * N + idx_[k]] * g_[k];
      for (int64_t k = need.row_start[r]; k < need.row_start[r + 1]; ++k) {
        const float* __restrict w = wt + int64_t(need.idx[k]) * N;
        float acc = 0.f;
#pragma omp simd reduction(+ : acc)
        for (int j = 0; j < N; ++j) acc += dv[j] * w[j];
        din[r * I + need.idx[k]] = acc;
      }
    }
}

void SparseSpikingLinear::backward(const float* dout, float* din) {
  const int I = I_, N = N_;
  const int64_t per = int64_t(N) * I + N;
  const bool at_needed = din && din_needed_ && din_needed_->rows == int64_t(T_) * B_;
  if (at_needed) {
    wt_.resize({I, N});
    transpose(N, I, W_, wt_.data());
  }
#pragma omp parallel
  {
    const int th = omp_get_thread_num();
    float* dWp = part_.data() + int64_t(th) * per;  // [N, I] then db [N]
    std::fill(dWp, dWp + per, 0.f);
    int64_t lo, hi;
    thread_slice(B_, lo, hi);
    Scratch& sc = scratch_[size_t(th)];
    weight_grads_of_samples(int(lo), int(hi), dout, dWp, dWp + int64_t(N) * I, sc);
    if (din && at_needed)
      input_grads_at_needed(int(lo), int(hi), dout, din, sc);
    else if (din)
      for (int b = int(lo); b < int(hi); ++b) input_grads_of_sample(b, dout, din, sc.acc.data());
  }
  // Thread partials in thread order: deterministic for a thread count. The
  // parameters are [W, b] in one block, so dW_ and db_ are one range too.
  const int nt = int(part_.size() / size_t(per));
  add_partials(part_.data(), nt, per, db_ ? per : per - N, dW_);
}

}  // namespace spikeforge
