#include "nn/recurrent_layer.h"

#include <omp.h>

#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/blas.h"
#include "core/error.h"
#include "nn/init.h"
#include "nn/neuron_dispatch.h"
#include "nn/state_scan.h"

namespace spikeforge {

// The step loops run one parallel region per step: below this many elements
// (B * N) the fork and join cost more than the step, and on a loaded machine
// far more (a thread that waits for a busy core stalls every step).
constexpr int64_t kParallelMin = 32768;

RecurrentLayer::RecurrentLayer(FeatShape in, RecurrentParams rp, NeuronModelKind model, SpikingParams sp,
                               NeuronModelParams mp)
    : rp_(rp), model_(model), sp_(sp), mp_(mp), I_(int(in.size())), N_(rp.units) {
  in_ = in;
  out_ = {N_, 1, 1};
  if (mp_.learn_beta != LearnBeta::None && !(sp_.lif.beta > 0.f && sp_.lif.beta < 1.f))
    throw ConfigError("learn_beta = " + std::string(learn_beta_name(mp_.learn_beta)) +
                      " needs an initial beta in (0, 1), got " + std::to_string(sp_.lif.beta));
  n_exc_ = rp_.dale ? excitatory_count(N_, rp_.excitatory) : N_;
  beta_.assign(N_, sp_.lif.beta);
  gamma_.assign(N_, 0.f);
  adaptation_strengths(model_, mp_, N_, gamma_.data());
}

std::string RecurrentLayer::kind() const {
  if (model_ == NeuronModelKind::Lif && mp_.learn_beta != LearnBeta::None) return "rplif";
  return std::string("r") + neuron_model_name(model_);
}

int64_t RecurrentLayer::param_count() const {
  const int64_t nbeta = mp_.learn_beta == LearnBeta::Layer ? 1 : mp_.learn_beta == LearnBeta::Neuron ? N_ : 0;
  return int64_t(N_) * I_ + int64_t(N_) * N_ + (rp_.bias ? N_ : 0) + nbeta;
}

void RecurrentLayer::bind(float* params, float* grads) {
  Win_ = params;
  dWin_ = grads;
  Wrec_ = Win_ + int64_t(N_) * I_;
  dWrec_ = dWin_ + int64_t(N_) * I_;
  float* next = Wrec_ + int64_t(N_) * N_;
  float* dnext = dWrec_ + int64_t(N_) * N_;
  if (rp_.bias) b_ = next, db_ = dnext, next += N_, dnext += N_;
  if (mp_.learn_beta != LearnBeta::None) p_ = next, dp_ = dnext;
}

// W_in and b as a Linear(I -> N), W_rec as a Linear(N -> N) without bias;
// under Dale's law W_rec then takes the balanced E/I form (nn/dale.h).
void RecurrentLayer::init_params(InitKind kind, Rng& rng) {
  init_weights(kind, I_, Win_, int64_t(N_) * I_, b_, rp_.bias ? N_ : 0, rng);
  init_weights(kind, N_, Wrec_, int64_t(N_) * N_, nullptr, 0, rng);
  if (rp_.dale) apply_dale_init(sign_blocks()[0]);
  const float b = sp_.lif.beta;
  const int64_t nbeta = mp_.learn_beta == LearnBeta::Layer ? 1 : mp_.learn_beta == LearnBeta::Neuron ? N_ : 0;
  for (int64_t j = 0; j < nbeta; ++j) p_[j] = std::log(b / (1.f - b));  // sigmoid(p) = beta
  update_coefs();
}

std::vector<SignBlock> RecurrentLayer::sign_blocks() {
  if (!rp_.dale) return {};
  return {SignBlock{Wrec_, N_, N_, n_exc_}};
}

void RecurrentLayer::update_coefs() { decays_from_logits(mp_.learn_beta, p_, sp_.lif.beta, N_, beta_.data()); }

template <class F>
void RecurrentLayer::with_model(F&& f) const {
  with_neuron_model(model_, sp_, mp_, std::forward<F>(f));
}

void RecurrentLayer::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  const bool same_rows = B == B_;
  Layer::prepare(Tin, T, B);
  const int64_t n = int64_t(B) * N_;
  with_model([&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    saved_.resize({T, n * floats_per<typename M::Saved>()});
    adjoint_.resize({n * floats_per<typename M::Adjoint>()});
    if (!same_rows) {
      state_.resize({n * floats_per<typename M::State>()});
      state_.fill(0.f);
    }
  });
  if (!same_rows) {
    refr_.resize({n});
    s_init_.resize({n});
    s_last_.resize({n});
    reset_state();
  }
  a_.resize({Tin, n});
  cur_.resize({n});
  r0_.resize({n});
  dc_.resize({T, n});
  dcsum_.resize({n});
  dbeta_th_.resize({omp_get_max_threads(), N_});
  if (mp_.refractory > 0) mask_.assign(size_t(T) * n, 1);
}

void RecurrentLayer::reset_state() {
  state_.fill(0.f);
  refr_.fill(0.f);
  s_init_.fill(0.f);
  has_init_ = has_last_ = false;
}

void RecurrentLayer::forward(const float* in, float* out, bool) {
  update_coefs();
  x_ = in;
  spk_ = out;
  const int64_t n = int64_t(B_) * N_;
  if (!carry_) {
    reset_state();
  } else if (has_last_) {  // s_{-1} of this chunk: the last spikes of the previous one
    std::memcpy(s_init_.data(), s_last_.data(), sizeof(float) * n);
    has_init_ = true;
  }
  // a = x W_in^T + b over all Tin*B rows
  const int R = int(int64_t(Tin_) * B_);
  if (b_) {
#pragma omp parallel for schedule(static) if (int64_t(R) * N_ >= kParallelMin)
    for (int r = 0; r < R; ++r) std::memcpy(a_.data() + int64_t(r) * N_, b_, sizeof(float) * N_);
  }
  gemm_nt(R, N_, I_, 1.f, in, Win_, b_ ? 1.f : 0.f, a_.data());
  const NeuronCoefs c{beta_.data(), gamma_.data()};
  const int refr = mp_.refractory;
  with_model([&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    auto* st = reinterpret_cast<typename M::State*>(state_.data());
    auto* sv = reinterpret_cast<typename M::Saved*>(saved_.data());
    if (carry_)
      for (int64_t e = 0; e < n; ++e) r0_[e] = st[e].r;
    double count = 0;
    for (int t = 0; t < T_; ++t) {
      float* cur = cur_.data();
      std::memcpy(cur, a_.data() + (Tin_ == 1 ? 0 : int64_t(t) * n), sizeof(float) * n);
      const float* s_prev = t > 0 ? out + int64_t(t - 1) * n : has_init_ ? s_init_.data() : nullptr;
      if (s_prev) gemm_nt(B_, N_, N_, 1.f, s_prev, Wrec_, 1.f, cur);  // c_t = a_t + s_{t-1} W_rec^T
      float* st_t = out + int64_t(t) * n;
      auto* sv_t = sv + int64_t(t) * n;
      uint8_t* mk = refr > 0 ? mask_.data() + int64_t(t) * n : nullptr;
#pragma omp parallel reduction(+ : count) if (n >= kParallelMin)
      {
        int64_t b0, b1;
        row_slice(B_, b0, b1);
        if (refr > 0)
          count += double(state_step_forward<M, true>(m, N_, b0, b1, cur, c, st, sv_t, st_t, refr_.data(), mk, refr));
        else
          count += double(state_step_forward<M, false>(m, N_, b0, b1, cur, c, st, sv_t, st_t, nullptr, nullptr, 0));
      }
    }
    spikes_ += count;
  });
  if (carry_) {  // the next chunk starts from s_{T-1}
    std::memcpy(s_last_.data(), out + int64_t(T_ - 1) * n, sizeof(float) * n);
    has_last_ = true;
  }
}

void RecurrentLayer::backward(const float* dout, float* din) {
  const int64_t n = int64_t(B_) * N_;
  const NeuronCoefs c{beta_.data(), gamma_.data()};
  const bool refr = mp_.refractory > 0, learn = mp_.learn_beta != LearnBeta::None;
  float* dc = dc_.data();
  dbeta_th_.fill(0.f);
  with_model([&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    auto* sv = reinterpret_cast<const typename M::Saved*>(saved_.data());
    auto* ad = reinterpret_cast<typename M::Adjoint*>(adjoint_.data());
    std::fill(ad, ad + n, typename M::Adjoint{});
    with_surrogate(sp_.surrogate, sp_.surrogate_width, [&](auto g) {
      using G = decltype(g);
      for (int t = T_ - 1; t >= 0; --t) {
        float* ds = cur_.data();
        std::memcpy(ds, dout + int64_t(t) * n, sizeof(float) * n);
        if (t + 1 < T_) gemm_nn(B_, N_, N_, 1.f, dc + int64_t(t + 1) * n, Wrec_, 1.f, ds);  // ds_t += dc_{t+1} W_rec
        const auto* svp = t > 0 ? sv + int64_t(t - 1) * n : nullptr;
        const float* sp = t > 0 ? spk_ + int64_t(t - 1) * n : nullptr;
        const float* r0 = carry_ ? r0_.data() : nullptr;
        const uint8_t* mk = refr ? mask_.data() + int64_t(t) * n : nullptr;
#pragma omp parallel if (n >= kParallelMin)
        {
          int64_t b0, b1;
          row_slice(B_, b0, b1);
          float* dbeta = learn ? dbeta_th_.data() + int64_t(omp_get_thread_num()) * N_ : nullptr;
          if (refr)
            state_step_backward<M, G, true>(m, g, N_, b0, b1, ds, c, sv + int64_t(t) * n, spk_ + int64_t(t) * n, mk, ad,
                                            dc + int64_t(t) * n, false, dbeta, svp, sp, r0);
          else
            state_step_backward<M, G, false>(m, g, N_, b0, b1, ds, c, sv + int64_t(t) * n, spk_ + int64_t(t) * n, mk,
                                             ad, dc + int64_t(t) * n, false, dbeta, svp, sp, r0);
        }
      }
    });
  });
  // dW_rec += sum_{t >= 1} dc_t^T s_{t-1}  (+ dc_0^T s_{-1} for carried spikes)
  if (T_ > 1) gemm_tn(N_, N_, int((T_ - 1) * B_), 1.f, dc + n, spk_, 1.f, dWrec_);
  if (has_init_) gemm_tn(N_, N_, B_, 1.f, dc, s_init_.data(), 1.f, dWrec_);
  // Input side: dc summed over t when the input is one step (x_t = x).
  const float* dci = dc;
  int rows = T_ * B_;
  if (Tin_ == 1) {
    float* sum = dcsum_.data();
    std::memcpy(sum, dc, sizeof(float) * n);
    for (int t = 1; t < T_; ++t) {
      const float* d = dc + int64_t(t) * n;
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t e = 0; e < n; ++e) sum[e] += d[e];
    }
    dci = sum;
    rows = B_;
  }
  gemm_tn(N_, I_, rows, 1.f, dci, x_, 1.f, dWin_);           // dW_in += dc^T x
  if (b_) add_row_sums(rows, N_, dci, db_);                  // db += sum_r dc
  if (din) gemm_nn(rows, I_, N_, 1.f, dci, Win_, 0.f, din);  // dx = dc W_in
  if (!learn) return;
  add_decay_logit_grads(mp_.learn_beta, dbeta_th_.data(), int(dbeta_th_.shape()[0]), beta_.data(), N_, dp_);
}

std::vector<float> RecurrentLayer::free_kernel(int T) const {
  return free_membrane_kernel(model_, sp_, mp_, beta_[0], gamma_[0], T);
}

}  // namespace spikeforge
