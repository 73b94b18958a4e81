#include "learn/biolcnet.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace spikeforge {

namespace {
float flush(float z) { return std::fabs(z) > 1e-30f ? z : 0.f; }  // no subnormal arithmetic
}  // namespace

BioLcNet::BioLcNet(const BioLcNetParams& p, int height, int width, int classes)
    : p_(p),
      H_(height),
      W_(width),
      K_(classes),
      C_(p.channels),
      O_(classes * p.per_class),
      stdp_(p.stdp, 1.f),
      rstdp_(p.rstdp, 1.f) {
  if (p.crop > height || p.crop > width || p.kernel > p.crop)
    throw ConfigError("rstdp: crop = " + std::to_string(p.crop) + ", kernel = " + std::to_string(p.kernel) +
                      ", expected kernel <= crop <= the image size " + std::to_string(height) + " x " +
                      std::to_string(width));
  side_ = (p.crop - p.kernel) / p.stride + 1;
  P_ = side_ * side_;
  a_m_ = std::exp(-1.f / p.tau_m);
  a_theta_ = std::exp(-1.f / p.tau_theta);
  a_d_ = std::exp(-1.f / p.tau_dopamine);
  // crop pixel (cy, cx) -> every (position, patch index) whose patch holds it, positions ascending
  taps_.resize(size_t(p.crop) * p.crop);
  for (int py = 0; py < side_; ++py)
    for (int px = 0; px < side_; ++px)
      for (int ky = 0; ky < p.kernel; ++ky)
        for (int kx = 0; kx < p.kernel; ++kx) {
          const int cy = py * p.stride + ky, cx = px * p.stride + kx;
          taps_[size_t(cy) * p.crop + cx].push_back({py * side_ + px, ky * p.kernel + kx});
        }
  w_lc_.assign(size_t(P_) * patch() * C_, 0.f);
  w_out_.assign(size_t(P_) * C_ * O_, 0.f);
  theta_.assign(size_t(P_) * C_, 0.f);
}

void BioLcNet::init_weights(Rng& rng) {
  for (float& w : w_lc_) w = rng.uniform(0.f, p_.w_lc_init_max);
  for (float& w : w_out_) w = rng.uniform(0.f, p_.w_out_init_max);
  std::fill(theta_.begin(), theta_.end(), 0.f);
}

BioLcNetState BioLcNet::make_state() const {
  BioLcNetState s;
  const int N = P_ * C_;
  s.v_lc.assign(N, 0.f);
  s.cur_lc.assign(N, 0.f);
  s.r_lc.assign(N, 0);
  s.y.assign(N, 0.f);
  s.y_slow.assign(N, 0.f);
  s.p_plus.assign(N, 0.f);
  s.v_out.assign(O_, 0.f);
  s.cur_out.assign(O_, 0.f);
  s.r_out.assign(O_, 0);
  s.p_minus.assign(O_, 0.f);
  s.x.assign(size_t(P_) * patch(), 0.f);
  s.s_patch.resize(P_);
  s.s_pos.resize(P_);
  for (auto& sp : s.s_patch) sp.resize(patch());
  for (auto& sp : s.s_pos) sp.resize(C_);
  s.s_lc.resize(N);
  s.s_out.resize(O_);
  s.inh_lc.assign(P_, 0);
  s.z.assign(size_t(N) * O_, 0.f);
  s.z_step.assign(size_t(N) * O_, -1);
  s.image.assign(size_t(p_.crop) * p_.crop, 0.f);
  return s;
}

void BioLcNet::lc_stdp_step(SimEngine e, BioLcNetState& st) {
  const int Q = patch();
  for (int p = 0; p < P_; ++p)
    stdp_.step(e, w_lc_.data() + size_t(p) * Q * C_, Q, C_, st.x.data() + size_t(p) * Q, st.y.data() + size_t(p) * C_,
               st.y_slow.data() + size_t(p) * C_, st.s_patch[p], st.s_pos[p]);
}

int BioLcNet::present(const float* x, int label, BioLcPhase phase, SimEngine e, Rng& rng, BioLcNetState& st,
                      float* counts) {
  const int N = P_ * C_, Q = patch(), T = p_.timesteps, crop = p_.crop;
  const bool learn_lc = phase == BioLcPhase::LearnLc, learn_out = phase == BioLcPhase::LearnOutput;
  if (learn_lc && p_.stdp.norm_sum > 0)
    for (int p = 0; p < P_; ++p) normalize_incoming(w_lc_.data() + size_t(p) * Q * C_, Q, C_, p_.stdp.norm_sum);
  // centre crop and Poisson input
  const int oy = (H_ - crop) / 2, ox = (W_ - crop) / 2;
  for (int cy = 0; cy < crop; ++cy)
    for (int cx = 0; cx < crop; ++cx) st.image[size_t(cy) * crop + cx] = x[size_t(oy + cy) * W_ + ox + cx];
  poisson_raster(st.image.data(), crop * crop, p_.input_rate_hz, 1.f, T, rng, st.raster);
  // rest state
  std::fill(st.v_lc.begin(), st.v_lc.end(), p_.v_rest);
  std::fill(st.v_out.begin(), st.v_out.end(), p_.v_rest);
  std::fill(st.r_lc.begin(), st.r_lc.end(), 0);
  std::fill(st.r_out.begin(), st.r_out.end(), 0);
  for (auto* v : {&st.x, &st.y, &st.y_slow, &st.p_plus, &st.p_minus, &st.z}) std::fill(v->begin(), v->end(), 0.f);
  std::fill(st.z_step.begin(), st.z_step.end(), -1);
  std::fill(st.inh_lc.begin(), st.inh_lc.end(), 0);
  st.inh_out = 0;
  st.s_lc.clear();
  st.s_out.clear();
  float d = 0.f;
  thread_local std::vector<float> pop;
  pop.assign(K_, 0.f);
  for (int t = 0; t < T; ++t) {
    // input spikes, per patch
    for (auto& sp : st.s_patch) sp.clear();
    for (const int* i = st.raster.begin(t); i != st.raster.begin(t) + st.raster.count(t); ++i)
      for (const auto& [p, q] : taps_[*i]) st.s_patch[p].add(q);
    st.input_spikes += st.raster.count(t);
    // LC layer: currents, neurons, lateral inhibition from last step's spikes
    std::fill(st.cur_lc.begin(), st.cur_lc.end(), 0.f);
    for (int p = 0; p < P_; ++p)
      propagate(e, w_lc_.data() + size_t(p) * Q * C_, Q, C_, st.s_patch[p], st.cur_lc.data() + size_t(p) * C_);
    for (int p = 0; p < P_; ++p) st.inh_lc[p] = int(st.s_pos[p].list.size());
    for (int p = 0; p < P_; ++p) {
      for (int c = 0; c < C_; ++c)
        st.cur_lc[size_t(p) * C_ + c] -= p_.lc_inhibition * float(st.inh_lc[p] - st.s_pos[p].flag[c]);
      st.s_pos[p].clear();
    }
    st.s_lc.clear();
    for (int n = 0; n < N; ++n) {
      if (learn_lc) theta_[n] *= a_theta_;
      if (st.r_lc[n] > 0) {
        --st.r_lc[n];
        continue;
      }
      st.v_lc[n] = a_m_ * (st.v_lc[n] - p_.v_rest) + p_.v_rest + st.cur_lc[n];
      if (st.v_lc[n] > p_.v_thresh + theta_[n]) {
        st.v_lc[n] = p_.v_reset;
        st.r_lc[n] = p_.refractory;
        if (learn_lc) theta_[n] += p_.theta_plus;
        st.s_lc.add(n);
        st.s_pos[n / C_].add(n % C_);
      }
    }
    st.lc_spikes += double(st.s_lc.list.size());
    if (learn_lc) {
      lc_stdp_step(e, st);
      continue;  // the output is not simulated while the LC layer learns
    }
    // output layer
    std::fill(st.cur_out.begin(), st.cur_out.end(), 0.f);
    propagate(e, w_out_.data(), N, O_, st.s_lc, st.cur_out.data());
    const int prev_out = st.inh_out;
    for (int j = 0; j < O_; ++j) st.cur_out[j] -= p_.out_inhibition * float(prev_out - st.s_out.flag[j]);
    st.s_out.clear();
    for (int j = 0; j < O_; ++j) {
      if (st.r_out[j] > 0) {
        --st.r_out[j];
        continue;
      }
      st.v_out[j] = a_m_ * (st.v_out[j] - p_.v_rest) + p_.v_rest + st.cur_out[j];
      if (st.v_out[j] > p_.v_thresh) {
        st.v_out[j] = p_.v_reset;
        st.r_out[j] = p_.refractory;
        st.s_out.add(j);
        counts[j] += 1.f;
        pop[j / p_.per_class] += 1.f;
      }
    }
    st.inh_out = int(st.s_out.list.size());
    st.out_spikes += st.inh_out;
    if (learn_out) {
      if (t >= p_.observe) {
        int target = 0;
        for (int j : st.s_out.list) target += j / p_.per_class == label;
        d = a_d_ * d + p_.dps * float(target) - p_.neg_dps * float(st.inh_out - target);
        d = flush(d);
        st.reward += d;
      }
      rstdp_.step(e, t, w_out_.data(), st.z.data(), st.z_step.data(), N, O_, st.p_plus.data(), st.p_minus.data(),
                  st.s_lc, st.s_out, d);
    }
  }
  st.steps += T;
  int best = 0;
  for (int k = 1; k < K_; ++k)
    if (pop[k] > pop[best]) best = k;
  return best;
}

}  // namespace spikeforge
