// Picks a neuron model (nn/neuron_model.h) and its reset rule once, outside
// the loops, and calls f(model) with the per-element struct: the one switch
// that the feed-forward and recurrent neuron layers share.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "nn/ahp_neuron.h"
#include "nn/alif_neuron.h"
#include "nn/cuba_neuron.h"
#include "nn/lif_layer.h"
#include "nn/neuron_model.h"
#include "nn/plif_neuron.h"

namespace spikeforge {

template <class F>
void with_neuron_model(NeuronModelKind model, const SpikingParams& sp, const NeuronModelParams& mp, F&& f) {
  const float th = sp.lif.theta, rho = std::exp(-1.f / mp.tau_adapt);
  const bool det = sp.lif.detach_reset, soft = sp.lif.reset == ResetKind::Soft;
  switch (model) {
    case NeuronModelKind::Lif:
      if (soft) return f(PlifNeuron<ResetKind::Soft>{th, det});
      return f(PlifNeuron<ResetKind::Hard>{th, det});
    case NeuronModelKind::Alif:
      if (soft) return f(AlifNeuron<ResetKind::Soft>{th, rho, det});
      return f(AlifNeuron<ResetKind::Hard>{th, rho, det});
    case NeuronModelKind::Ahp:
      if (soft) return f(AhpNeuron<ResetKind::Soft>{th, rho, det});
      return f(AhpNeuron<ResetKind::Hard>{th, rho, det});
    case NeuronModelKind::Cuba:
      if (soft) return f(CubaNeuron<ResetKind::Soft>{th, mp.alpha, det});
      return f(CubaNeuron<ResetKind::Hard>{th, mp.alpha, det});
  }
}

// Floats per element of a model's State / Saved / Adjoint (buffers are float tensors).
template <class S>
constexpr int64_t floats_per() {
  static_assert(sizeof(S) % sizeof(float) == 0);
  return int64_t(sizeof(S) / sizeof(float));
}

inline float sigmoid(float p) { return 1.f / (1.f + std::exp(-p)); }

// Per-neuron adaptation strengths [N]: gamma for the first round(f N) neurons
// of an adaptive model (alif, ahp), 0 for the rest and for other models.
inline void adaptation_strengths(NeuronModelKind model, const NeuronModelParams& mp, int64_t N, float* gamma) {
  const bool adaptive = model == NeuronModelKind::Alif || model == NeuronModelKind::Ahp;
  const int64_t k = adaptive ? std::llround(double(mp.adapt_fraction) * double(N)) : 0;
  for (int64_t j = 0; j < N; ++j) gamma[j] = j < k ? mp.adapt_strength : 0.f;
}

// PLIF decay logits -> beta [N]; none learned: beta = beta0 everywhere.
inline void decays_from_logits(LearnBeta lb, const float* p, float beta0, int64_t N, float* beta) {
  for (int64_t j = 0; j < N; ++j)
    beta[j] = lb == LearnBeta::None ? beta0 : sigmoid(lb == LearnBeta::Layer ? p[0] : p[j]);
}

// dp += dL/dp = dbeta sigmoid'(p) = dbeta beta (1 - beta), with dbeta [N] the
// sum of the per-thread partials dbeta_th [threads, N] taken in thread order
// (deterministic); learn_beta = layer has one logit, so dp[0] gets the sum.
inline void add_decay_logit_grads(LearnBeta lb, const float* dbeta_th, int threads, const float* beta, int64_t N,
                                  float* dp) {
  double layer_sum = 0;
  for (int64_t j = 0; j < N; ++j) {
    double db = 0;
    for (int th = 0; th < threads; ++th) db += dbeta_th[int64_t(th) * N + j];
    const double d = db * beta[j] * (1.0 - beta[j]);
    if (lb == LearnBeta::Neuron)
      dp[j] += float(d);
    else
      layer_sum += d;
  }
  if (lb == LearnBeta::Layer) dp[0] += float(layer_sum);
}

// Free membrane v_t (no firing) for a unit input at t = 0 and none after,
// t = 0..T-1, from the model's own discrete update with decay beta and
// adaptation gamma: the PSP kernel of fluctuation-driven initialisation.
inline std::vector<float> free_membrane_kernel(NeuronModelKind model, const SpikingParams& sp,
                                               const NeuronModelParams& mp, float beta, float gamma, int T) {
  std::vector<float> k(T);
  with_neuron_model(model, sp, mp, [&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    typename M::State st{};
    typename M::Saved sv{};
    for (int t = 0; t < T; ++t) {
      m.forward(st, t == 0 ? 1.f : 0.f, beta, gamma, /*m=*/0.f, sv);  // m = 0: never fires
      k[t] = sv.v;
    }
  });
  return k;
}

}  // namespace spikeforge
