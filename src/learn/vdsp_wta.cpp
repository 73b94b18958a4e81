#include "learn/vdsp_wta.h"

#include <algorithm>
#include <cmath>

#include "learn/vdsp.h"

namespace spikeforge {

VdspWtaNet::VdspWtaNet(const VdspWtaParams& p, int inputs)
    : p_(p),
      I_(inputs),
      O_(p.neurons),
      a_in_(std::exp(-1.f / p.input_tau)),
      a_out_(std::exp(-1.f / p.output_tau)),
      a_th_(std::exp(-1.f / p.tau_theta)),
      w_(size_t(inputs) * p.neurons),
      th_(p.neurons, 0.f) {}

void VdspWtaNet::init_weights(Rng& rng) {
  for (float& w : w_) w = rng.uniform(p_.w_init_min, p_.w_init_max);
  std::fill(th_.begin(), th_.end(), 0.f);
}

VdspWtaState VdspWtaNet::make_state() const {
  VdspWtaState s;
  s.u.assign(I_, 0.f);
  s.f.assign(I_, 0.f);
  s.v.assign(O_, 0.f);
  s.cur.assign(O_, 0.f);
  s.r.assign(O_, 0);
  s.s_in.resize(I_);
  s.s_out.resize(O_);
  return s;
}

int VdspWtaNet::present(const float* x, bool learn, SimEngine e, VdspWtaState& st, float* counts) {
  std::fill(st.u.begin(), st.u.end(), 0.f);
  std::fill(st.v.begin(), st.v.end(), 0.f);
  std::fill(st.r.begin(), st.r.end(), 0);
  const VdspRule rule{p_.lr};
  int total = 0;
  for (int t = 0; t < p_.timesteps; ++t) {
    for (int j = 0; j < O_; ++j) st.r[j] = std::max(0, st.r[j] - 1);
    // inputs: u <- a u + bias + scale x, fire above 1, reset to -1
    st.s_in.clear();
    for (int i = 0; i < I_; ++i) {
      const float u = a_in_ * st.u[i] + p_.input_bias + p_.input_scale * x[i];
      const bool s = u > 1.f;
      st.u[i] = s ? -1.f : u;
      if (s) st.s_in.add(i);
    }
    // outputs: leak and integrate the non-refractory ones
    std::fill(st.cur.begin(), st.cur.end(), 0.f);
    propagate(e, w_.data(), I_, O_, st.s_in, st.cur.data());
    const bool homeostasis = learn && p_.theta_plus > 0;
    int k = -1;
    float best = p_.threshold;
    for (int j = 0; j < O_; ++j) {
      if (st.r[j] == 0) st.v[j] = a_out_ * st.v[j] + st.cur[j];
      if (homeostasis) th_[j] *= a_th_;
      if (st.v[j] - th_[j] > best) best = st.v[j] - th_[j], k = j;  // argmax of those above threshold
    }
    st.input_spikes += double(st.s_in.list.size());
    if (k < 0) continue;
    // winner k: VDSP on its synapses, then hard WTA
    st.s_out.clear();
    st.s_out.add(k);
    if (learn) {
      for (int i = 0; i < I_; ++i) st.f[i] = VdspRule::magnitude(st.u[i]);
      const float* u = st.u.data();
      const float* f = st.f.data();
      update_weights_post(e, w_.data(), I_, O_, st.s_out,
                          [&](float w, int i, int) { return rule.on_post(w, u[i], f[i]); });
    }
    for (int j = 0; j < O_; ++j) st.v[j] = 0.f, st.r[j] = p_.inhibition;
    st.v[k] = -1.f;
    st.r[k] = p_.refractory;
    if (homeostasis) th_[k] += p_.theta_plus;
    counts[k] += 1.f;
    ++total;
  }
  st.output_spikes += total;
  st.steps += p_.timesteps;
  return total;
}

}  // namespace spikeforge
