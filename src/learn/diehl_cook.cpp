#include "learn/diehl_cook.h"

#include <algorithm>
#include <cmath>

#include "core/enum_names.h"

namespace spikeforge {

static constexpr EnumName<HomeostasisKind> kHomeostasis[] = {{"diehl_cook", HomeostasisKind::DiehlCook},
                                                             {"target_rate", HomeostasisKind::TargetRate}};
HomeostasisKind parse_homeostasis_kind(const std::string& s) { return parse_enum("homeostasis", s, kHomeostasis); }
const char* homeostasis_name(HomeostasisKind k) { return enum_name(k, kHomeostasis); }

CondLifNeuron CondLifNeuron::make(const CondLifParams& p, float dt_ms) {
  CondLifNeuron n;
  n.v_rest = p.v_rest, n.v_reset = p.v_reset, n.v_thresh = p.v_thresh, n.k = dt_ms / p.tau_m;
  n.a_m = std::exp(-n.k);
  n.e_exc = p.e_exc, n.e_inh = p.e_inh;
  n.a_ge = std::exp(-dt_ms / p.tau_ge), n.a_gi = std::exp(-dt_ms / p.tau_gi);
  n.refractory_steps = int(std::lround(p.refractory_ms / dt_ms));
  return n;
}

DiehlCookNet::DiehlCookNet(const DiehlCookParams& p, int inputs)
    : p_(p),
      I_(inputs),
      N_(p.neurons),
      exc_(CondLifNeuron::make(p.exc, p.dt_ms)),
      inh_(CondLifNeuron::make(p.inh, p.dt_ms)),
      stdp_(p.stdp, p.dt_ms),
      a_theta_(std::exp(-p.dt_ms / p.tau_theta_ms)),
      w_(size_t(inputs) * p.neurons),
      theta_(p.neurons, p.theta_init_mv) {}

void DiehlCookNet::init_weights(Rng& rng) {
  for (float& w : w_) w = rng.uniform(p_.w_init_min, p_.w_init_max);
  std::fill(theta_.begin(), theta_.end(), p_.theta_init_mv);
}

DiehlCookState DiehlCookNet::make_state() const {
  DiehlCookState s;
  for (auto* v : {&s.v_e, &s.ge_e, &s.gi_e, &s.v_i, &s.ge_i, &s.y, &s.z, &s.showing}) v->assign(N_, 0.f);
  s.r_e.assign(N_, 0);
  s.r_i.assign(N_, 0);
  s.x.assign(I_, 0.f);
  s.s_in.resize(I_);
  s.s_exc.resize(N_);
  s.s_inh.resize(N_);
  return s;
}

int DiehlCookNet::present(const float* x, Rng& rng, bool learn, SimEngine e, DiehlCookState& st, float* counts) {
  if (learn && p_.stdp.norm_sum > 0) normalize_incoming(w_.data(), I_, N_, p_.stdp.norm_sum);
  float rate = p_.input_rate_hz;
  int retries = 0;
  std::vector<float>& c = st.showing;
  for (;; ++retries, rate += p_.rate_step_hz) {
    std::fill(c.begin(), c.end(), 0.f);
    const int n = run_once(rate, x, rng, learn, e, st, c.data());
    if (n >= p_.min_spikes || retries >= p_.max_retries) break;
  }
  for (int j = 0; j < N_; ++j) counts[j] += c[j];
  return retries;
}

int DiehlCookNet::run_once(float rate_hz, const float* x, Rng& rng, bool learn, SimEngine e, DiehlCookState& st,
                           float* counts) {
  const int T = p_.timesteps, N = N_;
  std::fill(st.v_e.begin(), st.v_e.end(), exc_.v_rest);
  std::fill(st.v_i.begin(), st.v_i.end(), inh_.v_rest);
  for (auto* v : {&st.ge_e, &st.gi_e, &st.ge_i, &st.y, &st.z}) std::fill(v->begin(), v->end(), 0.f);
  std::fill(st.x.begin(), st.x.end(), 0.f);
  std::fill(st.r_e.begin(), st.r_e.end(), 0);
  std::fill(st.r_i.begin(), st.r_i.end(), 0);
  poisson_raster(x, I_, rate_hz, p_.dt_ms, T, rng, st.raster);
  const bool dc_theta = learn && p_.homeostasis == HomeostasisKind::DiehlCook;
  const bool target_theta = learn && p_.homeostasis == HomeostasisKind::TargetRate;
  const float target_per_step = p_.target_rate_hz * p_.dt_ms * 1e-3f;
  float* theta = theta_.data();
  int total = 0;
  for (int t = 0; t < T; ++t) {
    // 1. neurons: state update, threshold, reset
    st.s_exc.clear();
    st.s_inh.clear();
    for (int j = 0; j < N; ++j) {
      const float thr = exc_.v_thresh + theta[j] - p_.theta_init_mv;
      bool spike = false;
      if (st.r_e[j] > 0) {
        --st.r_e[j];
      } else {
        st.v_e[j] = exc_.integrate(st.v_e[j], st.ge_e[j], st.gi_e[j]);
        spike = st.v_e[j] > thr;
      }
      st.ge_e[j] = CondLifNeuron::decay(st.ge_e[j], exc_.a_ge);
      st.gi_e[j] = CondLifNeuron::decay(st.gi_e[j], exc_.a_gi);
      if (dc_theta) theta[j] *= a_theta_;
      if (target_theta) theta[j] = std::max(0.f, theta[j] + p_.theta_lr_mv * (float(spike) - target_per_step));
      if (spike) {
        st.v_e[j] = exc_.v_reset;
        st.r_e[j] = exc_.refractory_steps;
        if (dc_theta) theta[j] += p_.theta_plus_mv;
        st.s_exc.add(j);
        counts[j] += 1.f;
      }
    }
    for (int j = 0; j < N; ++j) {
      bool spike = false;
      if (st.r_i[j] > 0) {
        --st.r_i[j];
      } else {
        st.v_i[j] = inh_.integrate(st.v_i[j], st.ge_i[j], 0.f);
        spike = st.v_i[j] > inh_.v_thresh;
      }
      st.ge_i[j] = CondLifNeuron::decay(st.ge_i[j], inh_.a_ge);
      if (spike) {
        st.v_i[j] = inh_.v_reset;
        st.r_i[j] = inh_.refractory_steps;
        st.s_inh.add(j);
      }
    }
    // 2. this step's input spikes
    st.s_in.clear();
    for (const int* i = st.raster.begin(t); i != st.raster.begin(t) + st.raster.count(t); ++i) st.s_in.add(*i);
    // 3. synapses: conductances felt from the next step
    propagate(e, w_.data(), I_, N, st.s_in, st.ge_e.data());
    for (int j : st.s_exc.list) st.ge_i[j] += p_.w_ei;
    if (!st.s_inh.empty()) {
      const float all = p_.w_ie * float(st.s_inh.list.size());
      for (int j = 0; j < N; ++j) st.gi_e[j] += all - p_.w_ie * st.s_inh.value[j];
    }
    // 4. plasticity
    if (learn) stdp_.step(e, w_.data(), I_, N, st.x.data(), st.y.data(), st.z.data(), st.s_in, st.s_exc);
    total += int(st.s_exc.list.size());
    st.input_spikes += double(st.s_in.list.size());
    st.exc_spikes += double(st.s_exc.list.size());
    st.inh_spikes += double(st.s_inh.list.size());
  }
  st.steps += T;
  if (dc_theta && p_.rest_steps > 0) {  // silent rest: theta keeps decaying
    const float a = std::pow(a_theta_, float(p_.rest_steps));
    for (int j = 0; j < N; ++j) theta[j] *= a;
  }
  return total;
}

}  // namespace spikeforge
