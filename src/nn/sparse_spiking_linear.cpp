#include "nn/sparse_spiking_linear.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
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

void SparseSpikingLinear::backward(const float* dout, float* din) {
  const int T = T_, B = B_, I = I_, N = N_;
  const float beta = p_.lif.beta;
  const SpikeBits& bits = lin_.input_bits();
  const int64_t per = int64_t(N) * I + N;
  std::fill(part_.begin(), part_.end(), 0.f);
#pragma omp parallel
  {
    float* dWp = part_.data() + int64_t(omp_get_thread_num()) * per;  // [N, I] then db [N]
    float* dbp = dWp + int64_t(N) * I;
    std::vector<float> tr(I), acc(I);
#pragma omp for schedule(static)
    for (int b = 0; b < B; ++b) {
      // dW += e_t tr_t^T over the active set, with tr_t = beta tr_{t-1} + x_t
      std::fill(tr.begin(), tr.end(), 0.f);
      float bias_trace = 0;  // sum_{t' <= t} beta^(t - t') = (1 - beta^(t+1)) / (1 - beta)
      for (int t = 0; t < T; ++t) {
        const int64_t r = int64_t(t) * B + b;
        for (int i = 0; i < I; ++i) tr[i] *= beta;
        bits.for_each(r, [&](int64_t i) { tr[i] += 1.f; });
        bias_trace = beta * bias_trace + 1.f;
        for (int64_t k = row_start_[r]; k < row_start_[r + 1]; ++k) {
          const int j = idx_[k];
          const float e = dout[r * N + j] * g_[k];  // e_t = ds_t g_t
          if (e == 0.f) continue;
          float* __restrict w = dWp + int64_t(j) * I;
          const float* __restrict x = tr.data();
#pragma omp simd
          for (int i = 0; i < I; ++i) w[i] += e * x[i];
          dbp[j] += e * bias_trace;
        }
      }
      if (!din) continue;
      // dx_t = u_t + beta dx_{t+1}, u_t = sum over active j of e_t[j] W[j, :]
      std::fill(acc.begin(), acc.end(), 0.f);
      for (int t = T - 1; t >= 0; --t) {
        const int64_t r = int64_t(t) * B + b;
        for (int i = 0; i < I; ++i) acc[i] *= beta;
        for (int64_t k = row_start_[r]; k < row_start_[r + 1]; ++k) {
          const int j = idx_[k];
          const float e = dout[r * N + j] * g_[k];
          if (e == 0.f) continue;
          const float* __restrict w = W_ + int64_t(j) * I;
          float* __restrict a = acc.data();
#pragma omp simd
          for (int i = 0; i < I; ++i) a[i] += e * w[i];
        }
        std::copy(acc.begin(), acc.end(), din + r * I);
      }
    }
  }
  // Thread partials in thread order: deterministic for a thread count.
  const int nt = int(part_.size() / size_t(per));
  for (int th = 0; th < nt; ++th) {
    const float* p = part_.data() + int64_t(th) * per;
    for (int64_t e = 0; e < int64_t(N) * I; ++e) dW_[e] += p[e];
    if (db_)
      for (int j = 0; j < N; ++j) db_[j] += p[int64_t(N) * I + j];
  }
}

}  // namespace spikeforge
