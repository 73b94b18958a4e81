// The loops over time and neurons for neuron models: one fused forward scan
// and one fused backward scan per model [GeNN]. n = B * N elements per step;
// every element's chain over t is independent, so each thread owns a fixed
// slice of elements for all t (no barrier per step, deterministic).
// Tin = 1 means the input current is the same at every step.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "nn/lif_neuron.h"
#include "nn/surrogate.h"

namespace spikeforge {

// This thread's slice [lo, hi) of n elements.
inline void thread_slice(int64_t n, int64_t& lo, int64_t& hi) {
  int nt = omp_get_num_threads(), id = omp_get_thread_num();
  int64_t per = (n + nt - 1) / nt;
  lo = std::min<int64_t>(n, per * id);
  hi = std::min<int64_t>(n, lo + per);
}

// Elements per tile: the scans walk a tile of elements through all T steps
// with the carried state (r_t forward, dv_{t+1} backward) in a local array,
// so it never goes to memory; 3 memory streams per step instead of 4 (forward)
// or 5 (backward).
constexpr int64_t kScanTile = 512;

// Forward: x [Tin, n] -> v [T, n] (pre-reset membrane), s [T, n]. Returns the spike count.
template <ResetKind R>
double lif_forward_scan(const LifNeuron<R>& m, const float* x, int Tin, int T, int64_t n, float* v, float* s) {
  const LifNeuron<R> mm = m;  // by value: the vectoriser needs the constants in registers
  double count = 0;
#pragma omp parallel reduction(+ : count)
  {
    int64_t lo, hi, c = 0;
    thread_slice(n, lo, hi);
    alignas(64) float r[kScanTile];  // r_{t-1}, the post-reset membrane
    for (int64_t i0 = lo; i0 < hi; i0 += kScanTile) {
      const int64_t len = std::min(kScanTile, hi - i0);
      for (int64_t i = 0; i < len; ++i) r[i] = 0.f;  // r_{-1} = 0
      for (int t = 0; t < T; ++t) {
        const float* __restrict xt = x + (Tin == 1 ? 0 : int64_t(t) * n) + i0;
        float* __restrict vt = v + int64_t(t) * n + i0;
        float* __restrict st = s + int64_t(t) * n + i0;
#pragma omp simd reduction(+ : c)
        for (int64_t i = 0; i < len; ++i) {
          const float vv = mm.integrate(r[i], xt[i]);  // v_t = beta r_{t-1} + x_t
          const float sp = mm.fire(vv);                // s_t = H(v_t - theta)
          vt[i] = vv;
          st[i] = sp;
          r[i] = mm.reset(vv, sp);
          c += vv >= mm.theta;
        }
      }
    }
    count += double(c);
  }
  return count;
}

// Backward: ds [T, n], v [T, n] -> dx [Tin, n] (overwritten; summed over t when Tin = 1).
// kDecayGrad (a learned decay, PLIF): also the decay's gradient
//   dbeta = sum_{t >= 1, i} dv_t[i] r_{t-1}[i]     (v_t = beta r_{t-1} + x_t; r_{-1} = 0)
// taken at step t - 1 of the reverse scan, where dv_t is the carried value and
// r_{t-1} comes from the v_{t-1} it loads anyway; each thread writes its part
// to dbeta[thread] (the caller adds them in thread order: deterministic).
template <bool kDecayGrad, ResetKind R, class Surrogate>
void lif_backward_scan_impl(const LifNeuron<R>& m, Surrogate g, const float* v, const float* ds, int Tin, int T,
                            int64_t n, float* dx, double* dbeta) {
  const LifNeuron<R> mm = m;
  const Surrogate gg = g;
#pragma omp parallel
  {
    int64_t lo, hi;
    thread_slice(n, lo, hi);
    alignas(64) float cr[kScanTile];   // dv_{t+1}
    alignas(64) float acc[kScanTile];  // sum_t dv_t (Tin = 1)
    alignas(64) float rb[kScanTile];   // sum_t dv_{t+1} r_t per element (kDecayGrad)
    double db = 0;
    for (int64_t i0 = lo; i0 < hi; i0 += kScanTile) {
      const int64_t len = std::min(kScanTile, hi - i0);
      for (int64_t i = 0; i < len; ++i) cr[i] = 0.f, acc[i] = 0.f, rb[i] = 0.f;  // dv_T = 0
      for (int t = T - 1; t >= 0; --t) {
        const float* __restrict vt = v + int64_t(t) * n + i0;
        const float* __restrict dst = ds + int64_t(t) * n + i0;
        float* __restrict dxt = dx + (Tin == 1 ? 0 : int64_t(t) * n) + i0;
#pragma omp simd
        for (int64_t i = 0; i < len; ++i) {
          const float vv = vt[i];
          if constexpr (kDecayGrad) rb[i] += cr[i] * mm.reset(vv, mm.fire(vv));
          // dr_t = beta dv_{t+1}; dv_t from ds_t, dr_t and the surrogate at v_t
          const float dv = mm.dv(vv, mm.fire(vv), dst[i], mm.beta * cr[i], gg.grad(vv - mm.theta));
          cr[i] = dv;
          acc[i] += dv;
          if (Tin != 1) dxt[i] = dv;  // dx_t = dv_t
        }
      }
      if (Tin == 1)  // x_t = x for all t: dx = sum_t dv_t
        for (int64_t i = 0; i < len; ++i) dx[i0 + i] = acc[i];
      if constexpr (kDecayGrad) {
        float dbs = 0.f;
#pragma omp simd reduction(+ : dbs)
        for (int64_t i = 0; i < len; ++i) dbs += rb[i];
        db += dbs;
      }
    }
    if constexpr (kDecayGrad) dbeta[omp_get_thread_num()] = db;
  }
}

// dbeta == nullptr: the decay is fixed (plain LIF), no decay gradient.
template <ResetKind R, class Surrogate>
void lif_backward_scan(const LifNeuron<R>& m, Surrogate g, const float* v, const float* ds, int Tin, int T, int64_t n,
                       float* dx, double* dbeta = nullptr) {
  if (dbeta)
    lif_backward_scan_impl<true>(m, g, v, ds, Tin, T, n, dx, dbeta);
  else
    lif_backward_scan_impl<false>(m, g, v, ds, Tin, T, n, dx, nullptr);
}

}  // namespace spikeforge
