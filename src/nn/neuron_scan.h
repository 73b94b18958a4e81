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

// Forward: x [Tin, n] -> v [T, n] (pre-reset membrane), s [T, n]. Returns the spike count.
template <ResetKind R>
double lif_forward_scan(const LifNeuron<R>& m, const float* x, int Tin, int T, int64_t n, float* v, float* s) {
  double count = 0;
#pragma omp parallel reduction(+ : count)
  {
    int64_t lo, hi;
    thread_slice(n, lo, hi);
    for (int t = 0; t < T; ++t) {
      const float* xt = x + (Tin == 1 ? 0 : int64_t(t) * n);
      const float* vp = v + int64_t(t - 1) * n;  // read only when t > 0
      const float* sp = s + int64_t(t - 1) * n;
      float* vt = v + int64_t(t) * n;
      float* st = s + int64_t(t) * n;
      float c = 0;
      for (int64_t i = lo; i < hi; ++i) {
        float r = t > 0 ? m.reset(vp[i], sp[i]) : 0.f;  // r_{t-1}
        float vv = m.integrate(r, xt[i]);               // v_t = beta r_{t-1} + x_t
        vt[i] = vv;
        st[i] = m.fire(vv);  // s_t = H(v_t - theta)
        c += st[i];
      }
      count += c;
    }
  }
  return count;
}

// Backward: ds [T, n], v [T, n] -> dx [Tin, n] (overwritten; summed over t when Tin = 1).
// carry [n] is scratch holding dv_{t+1}.
template <ResetKind R, class Surrogate>
void lif_backward_scan(const LifNeuron<R>& m, Surrogate g, const float* v, const float* ds, int Tin, int T, int64_t n,
                       float* carry, float* dx) {
#pragma omp parallel
  {
    int64_t lo, hi;
    thread_slice(n, lo, hi);
    if (Tin == 1) std::fill(dx + lo, dx + hi, 0.f);
    for (int t = T - 1; t >= 0; --t) {
      const float* vt = v + int64_t(t) * n;
      const float* dst = ds + int64_t(t) * n;
      float* dxt = dx + (Tin == 1 ? 0 : int64_t(t) * n);
      for (int64_t i = lo; i < hi; ++i) {
        float dr = t < T - 1 ? m.beta * carry[i] : 0.f;  // dr_t = beta dv_{t+1}
        float vv = vt[i];
        float dv = m.dv(vv, m.fire(vv), dst[i], dr, g.grad(vv - m.theta));
        carry[i] = dv;
        if (Tin == 1)
          dxt[i] += dv;  // x_t = x for all t: dx = sum_t dv_t
        else
          dxt[i] = dv;
      }
    }
  }
}

}  // namespace spikeforge
