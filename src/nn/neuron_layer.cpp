#include "nn/neuron_layer.h"

#include <omp.h>

#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "nn/neuron_dispatch.h"
#include "nn/neuron_scan.h"
#include "nn/state_scan.h"

namespace spikeforge {

NeuronLayer::NeuronLayer(FeatShape in, NeuronModelKind model, SpikingParams sp, NeuronModelParams mp)
    : model_(model), sp_(sp), mp_(mp), N_(in.size()) {
  in_ = out_ = in;
  if (mp_.learn_beta != LearnBeta::None && !(sp_.lif.beta > 0.f && sp_.lif.beta < 1.f))
    throw ConfigError("learn_beta = " + std::string(learn_beta_name(mp_.learn_beta)) +
                      " needs an initial beta in (0, 1), got " + std::to_string(sp_.lif.beta));
  beta_.assign(N_, sp_.lif.beta);
  gamma_.assign(N_, 0.f);
  adaptation_strengths(model_, mp_, N_, gamma_.data());
}

std::string NeuronLayer::kind() const {
  if (model_ == NeuronModelKind::Lif) return mp_.learn_beta == LearnBeta::None ? "lif" : "plif";
  return neuron_model_name(model_);
}

int64_t NeuronLayer::param_count() const {
  return mp_.learn_beta == LearnBeta::Layer ? 1 : mp_.learn_beta == LearnBeta::Neuron ? N_ : 0;
}

void NeuronLayer::bind(float* params, float* grads) {
  if (param_count() == 0) return;
  p_ = params;
  dp_ = grads;
}

void NeuronLayer::init_params(InitKind, Rng&) {
  const float b = sp_.lif.beta;
  for (int64_t j = 0; j < param_count(); ++j) p_[j] = std::log(b / (1.f - b));  // sigmoid(p) = beta
  update_coefs();
}

void NeuronLayer::update_coefs() { decays_from_logits(mp_.learn_beta, p_, sp_.lif.beta, N_, beta_.data()); }

template <class F>
void NeuronLayer::with_model(F&& f) const {
  with_neuron_model(model_, sp_, mp_, std::forward<F>(f));
}

void NeuronLayer::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  const bool same_rows = B == B_;
  Layer::prepare(Tin, T, B);
  const int64_t n = int64_t(B) * N_;
  with_model([&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    saved_.resize({T, n * floats_per<typename M::Saved>()});
    adjoint_.resize({n * floats_per<typename M::Adjoint>()});
    if (!same_rows) {  // the carried state survives a change of chunk length, not of batch
      state_.resize({n * floats_per<typename M::State>()});
      state_.fill(0.f);
    }
  });
  if (!same_rows) {
    refr_.resize({n});
    refr_.fill(0.f);
  }
  r0_.resize({n});
  dbeta_th_.resize({omp_get_max_threads(), N_});
  dbeta_tiled_.assign(size_t(omp_get_max_threads()), 0.0);
  if (param_count() > 0) dx_scratch_.resize({Tin, n});
  if (mp_.refractory > 0) mask_.assign(size_t(T) * n, 1);
}

void NeuronLayer::reset_state() {
  state_.fill(0.f);
  refr_.fill(0.f);
}

bool NeuronLayer::tiled_lif() const {
  return model_ == NeuronModelKind::Lif && mp_.refractory == 0 && mp_.learn_beta != LearnBeta::Neuron && !carry_;
}

// The plain LIF's scans (nn/neuron_scan.h) with beta = beta_[0]: the layer's
// only decay. saved_ holds v, as PlifNeuron's Saved.
void NeuronLayer::forward_tiled(const float* in, float* out) {
  const int64_t n = int64_t(B_) * N_;
  const LifParams& q = sp_.lif;
  if (q.reset == ResetKind::Soft)
    spikes_ += lif_forward_scan(LifNeuron<ResetKind::Soft>{beta_[0], q.theta, q.detach_reset}, in, Tin_, T_, n,
                                saved_.data(), out);
  else
    spikes_ += lif_forward_scan(LifNeuron<ResetKind::Hard>{beta_[0], q.theta, q.detach_reset}, in, Tin_, T_, n,
                                saved_.data(), out);
}

void NeuronLayer::backward_tiled(const float* dout, float* din) {
  const int64_t n = int64_t(B_) * N_;
  const LifParams& q = sp_.lif;
  double* dbeta = param_count() > 0 ? dbeta_tiled_.data() : nullptr;
  with_surrogate(sp_.surrogate, sp_.surrogate_width, [&](auto g) {
    if (q.reset == ResetKind::Soft)
      lif_backward_scan(LifNeuron<ResetKind::Soft>{beta_[0], q.theta, q.detach_reset}, g, saved_.data(), dout, Tin_, T_,
                        n, din, dbeta);
    else
      lif_backward_scan(LifNeuron<ResetKind::Hard>{beta_[0], q.theta, q.detach_reset}, g, saved_.data(), dout, Tin_, T_,
                        n, din, dbeta);
  });
  if (!dbeta) return;
  double db = 0;
  for (double part : dbeta_tiled_) db += part;        // thread order
  dp_[0] += float(db * beta_[0] * (1.0 - beta_[0]));  // dp = dbeta dsigmoid(p)
}

void NeuronLayer::forward(const float* in, float* out, bool) {
  update_coefs();
  spk_ = out;
  if (tiled_lif()) return forward_tiled(in, out);
  if (!carry_) reset_state();
  const int64_t n = int64_t(B_) * N_;
  const NeuronCoefs c{beta_.data(), gamma_.data()};
  const int R = mp_.refractory;
  with_model([&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    auto* st = reinterpret_cast<typename M::State*>(state_.data());
    auto* sv = reinterpret_cast<typename M::Saved*>(saved_.data());
    if (carry_)
      for (int64_t e = 0; e < n; ++e) r0_[e] = st[e].r;  // r_{-1} of this chunk, for dbeta
    double count = 0;
#pragma omp parallel reduction(+ : count)
    {
      int64_t b0, b1, k = 0;
      row_slice(B_, b0, b1);
      for (int t = 0; t < T_; ++t) {
        const float* xt = in + (Tin_ == 1 ? 0 : int64_t(t) * n);
        if (R > 0)
          k += state_step_forward<M, true>(m, N_, b0, b1, xt, c, st, sv + int64_t(t) * n, out + int64_t(t) * n,
                                           refr_.data(), mask_.data() + int64_t(t) * n, R);
        else
          k += state_step_forward<M, false>(m, N_, b0, b1, xt, c, st, sv + int64_t(t) * n, out + int64_t(t) * n,
                                            nullptr, nullptr, 0);
      }
      count += double(k);
    }
    spikes_ += count;
  });
}

void NeuronLayer::backward(const float* dout, float* din) {
  const bool learn = param_count() > 0;
  if (!din && !learn) return;  // nothing upstream needs it, and no parameters
  const int64_t n = int64_t(B_) * N_;
  if (!din) din = dx_scratch_.data();  // PLIF still needs the backward scan for dbeta
  if (tiled_lif()) return backward_tiled(dout, din);
  dbeta_th_.fill(0.f);
  const NeuronCoefs c{beta_.data(), gamma_.data()};
  const bool refr = mp_.refractory > 0;
  with_model([&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    auto* sv = reinterpret_cast<const typename M::Saved*>(saved_.data());
    auto* ad = reinterpret_cast<typename M::Adjoint*>(adjoint_.data());
    std::fill(ad, ad + n, typename M::Adjoint{});  // dv_T = 0
    with_surrogate(sp_.surrogate, sp_.surrogate_width, [&](auto g) {
      using G = decltype(g);
#pragma omp parallel
      {
        int64_t b0, b1;
        row_slice(B_, b0, b1);
        float* dbeta = learn ? dbeta_th_.data() + int64_t(omp_get_thread_num()) * N_ : nullptr;
        for (int t = T_ - 1; t >= 0; --t) {
          float* dxt = din + (Tin_ == 1 ? 0 : int64_t(t) * n);
          const bool acc = Tin_ == 1 && t != T_ - 1;  // x_t = x for all t: dx = sum_t dx_t
          const auto* svp = t > 0 ? sv + int64_t(t - 1) * n : nullptr;
          const float* sp = t > 0 ? spk_ + int64_t(t - 1) * n : nullptr;
          const float* r0 = carry_ ? r0_.data() : nullptr;
          const uint8_t* mk = refr ? mask_.data() + int64_t(t) * n : nullptr;
          if (refr)
            state_step_backward<M, G, true>(m, g, N_, b0, b1, dout + int64_t(t) * n, c, sv + int64_t(t) * n,
                                            spk_ + int64_t(t) * n, mk, ad, dxt, acc, dbeta, svp, sp, r0);
          else
            state_step_backward<M, G, false>(m, g, N_, b0, b1, dout + int64_t(t) * n, c, sv + int64_t(t) * n,
                                             spk_ + int64_t(t) * n, mk, ad, dxt, acc, dbeta, svp, sp, r0);
        }
      }
    });
  });
  if (!learn) return;
  add_decay_logit_grads(mp_.learn_beta, dbeta_th_.data(), int(dbeta_th_.shape()[0]), beta_.data(), N_, dp_);
}

std::vector<float> NeuronLayer::free_kernel(int T) const {
  return free_membrane_kernel(model_, sp_, mp_, beta_[0], gamma_[0], T);
}

}  // namespace spikeforge
