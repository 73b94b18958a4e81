// The loops of the stateful neuron models (nn/plif_neuron.h, alif_neuron.h,
// ahp_neuron.h, cuba_neuron.h): one forward and one backward step over the
// rows [b0, b1) of a [B, N] population, generic over the model, which owns
// the per-element maths [GeNN]. The feed-forward layer (nn/neuron_layer.h)
// gives each thread a fixed slice of rows and walks it through all T steps
// (no barrier per step, deterministic); the recurrent layer
// (nn/recurrent_layer.h) calls one step at a time after its recurrent product.
//
// A model M provides State (carried forward, with the post-reset membrane r),
// Saved (what backward reads, per step), Adjoint (carried backward, holding
// dL/dv), forward(State&, x, beta, gamma, m, Saved&) -> s and
// backward(Adjoint&, Saved, s, ds, beta, gamma, m, surrogate) -> dx, and
// post_reset(Saved, s) -> r. beta and gamma are per neuron [N] (PLIF, the
// adaptive fraction); m is the refractory mask, 1 when the neuron may fire.
// Refractory: after a spike, m = 0 for `refractory` steps.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace spikeforge {

// The calling thread's slice [lo, hi) of n rows.
inline void row_slice(int64_t n, int64_t& lo, int64_t& hi) {
  const int nt = omp_get_num_threads(), id = omp_get_thread_num();
  const int64_t per = (n + nt - 1) / nt;
  lo = std::min<int64_t>(n, per * id);
  hi = std::min<int64_t>(n, lo + per);
}

// Per-neuron constants of one layer: beta [N], gamma [N].
struct NeuronCoefs {
  const float* beta;
  const float* gamma;
};

// Forward step t over rows [b0, b1): x [B, N] (the step's input current),
// st [B, N] carried state, sv [B, N] this step's saved values, s [B, N]
// spikes out. kRefr: refr [B, N] steps left, mask [B, N] this step's m.
// Returns the number of spikes.
template <class M, bool kRefr>
int64_t state_step_forward(const M& m, int64_t N, int64_t b0, int64_t b1, const float* __restrict x, NeuronCoefs c,
                           typename M::State* __restrict st, typename M::Saved* __restrict sv, float* __restrict s,
                           float* __restrict refr, uint8_t* __restrict mask, int refractory) {
  int64_t count = 0;
  for (int64_t b = b0; b < b1; ++b) {
    const int64_t o = b * N;
    for (int64_t j = 0; j < N; ++j) {
      const int64_t e = o + j;
      float may = 1.f;
      if constexpr (kRefr) {
        may = refr[e] > 0.f ? 0.f : 1.f;
        mask[e] = uint8_t(may);
      }
      const float sp = m.forward(st[e], x[e], c.beta[j], c.gamma[j], may, sv[e]);
      s[e] = sp;
      if constexpr (kRefr) refr[e] = sp > 0.f ? float(refractory) : std::max(refr[e] - 1.f, 0.f);
      count += sp > 0.f;
    }
  }
  return count;
}

// Backward step t over rows [b0, b1): ds [B, N] = dL/ds_t from above; sv, s,
// mask of step t; ad [B, N] carried adjoint (dv_{t+1} in, dv_t out);
// dx [B, N] written (accumulate = false) or added to. PLIF: dbeta [N] +=
// dv_t r_{t-1}, with r_{t-1} from step t-1's saved values (sv_prev, s_prev)
// or, at t = 0, r0 [B, N] (the carried membrane; nullptr = 0).
template <class M, class G, bool kRefr>
void state_step_backward(const M& m, G g, int64_t N, int64_t b0, int64_t b1, const float* __restrict ds, NeuronCoefs c,
                         const typename M::Saved* __restrict sv, const float* __restrict s,
                         const uint8_t* __restrict mask, typename M::Adjoint* __restrict ad, float* __restrict dx,
                         bool accumulate, float* __restrict dbeta, const typename M::Saved* __restrict sv_prev,
                         const float* __restrict s_prev, const float* __restrict r0) {
  for (int64_t b = b0; b < b1; ++b) {
    const int64_t o = b * N;
    for (int64_t j = 0; j < N; ++j) {
      const int64_t e = o + j;
      const float may = kRefr ? float(mask[e]) : 1.f;
      const float d = m.backward(ad[e], sv[e], s[e], ds[e], c.beta[j], c.gamma[j], may, g);
      dx[e] = accumulate ? dx[e] + d : d;
      if (dbeta) {  // dbeta += dv_t r_{t-1}
        const float r_prev = sv_prev ? m.post_reset(sv_prev[e], s_prev[e]) : r0 ? r0[e] : 0.f;
        dbeta[j] += ad[e].dv * r_prev;
      }
    }
  }
}

}  // namespace spikeforge

#include "nn/surrogate.h"

namespace spikeforge {

// Calls f(surrogate) with the surrogate chosen once, outside the loops.
template <class F>
void with_surrogate(SurrogateKind kind, float width, F&& f) {
  switch (kind) {
    case SurrogateKind::FastSigmoid:
      return f(SurrogateFastSigmoid{width});
    case SurrogateKind::Arctan:
      return f(SurrogateArctan{width});
    case SurrogateKind::Triangle:
      return f(SurrogateTriangle{width});
  }
}

}  // namespace spikeforge
