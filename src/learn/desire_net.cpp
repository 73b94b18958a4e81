#include "learn/desire_net.h"

#include <algorithm>
#include <cmath>

#include "core/blas.h"
#include "learn/desire.h"

namespace spikeforge {

DesireNet::DesireNet(const DesireNetParams& p, int inputs, int classes)
    : p_(p), lambda_(1.f - std::ldexp(1.f, -p.decay_bits)) {
  sizes_.push_back(inputs);
  for (int h : p.hidden) sizes_.push_back(h);
  sizes_.push_back(classes);
  for (size_t l = 0; l + 1 < sizes_.size(); ++l) w_.emplace_back(size_t(sizes_[l]) * sizes_[l + 1]);
}

void DesireNet::init_weights(Rng& rng) {
  for (size_t l = 0; l < w_.size(); ++l) {
    const float fan_in = float(sizes_[l]);
    const float sd = std::sqrt(2.f / fan_in), bound = std::sqrt(6.f / fan_in);
    for (float& w : w_[l]) w = p_.kaiming_normal ? sd * rng.normal() : rng.uniform(-bound, bound);
  }
}

DesireState DesireNet::make_state() const {
  const int T = p_.timesteps;
  DesireState st;
  st.u.assign(sizes_[0], 0.f);
  st.s0.assign(size_t(T) * sizes_[0], 0.f);
  st.mask0.assign(sizes_[0], 1);
  st.back.assign(*std::max_element(sizes_.begin(), sizes_.end()), 0.f);
  for (size_t l = 0; l < w_.size(); ++l) {
    const int I = sizes_[l], O = sizes_[l + 1];
    DesireLayerState L;
    L.s.assign(size_t(T + 1) * O, 0.f);
    L.tr.assign(size_t(T + 1) * I, 0.f);
    L.cur.assign(size_t(T) * O, 0.f);
    L.d.assign(size_t(T) * O, 0.f);
    L.n.assign(O, 0.f);
    L.mask.assign(O, 1);
    L.active.assign(O, 0);
    L.sign.assign(O, 0.f);
    L.g.assign(O, 0.f);
    st.layer.push_back(std::move(L));
  }
  return st;
}

// in: [T, I] rows t = 0..T-1 of the layer's input (dropout-scaled spikes)
void DesireNet::forward_layer(int l, const float* in, bool learn, SimEngine e, DesireState& st) const {
  const int T = p_.timesteps, I = sizes_[l], O = sizes_[l + 1];
  const bool last = l + 1 == int(w_.size());
  const float scale = (learn && !last && p_.dropout_hidden > 0) ? 1.f / (1.f - p_.dropout_hidden) : 1.f;
  DesireLayerState& L = st.layer[l];
  const float* W = w_[l].data();
  // currents C[t] = in[t] W for all t
  if (e == SimEngine::Dense) {
    gemm_nn(T, O, I, 1.f, in, W, 0.f, L.cur.data());
  } else {
    std::fill(L.cur.begin(), L.cur.end(), 0.f);
    for (int t = 0; t < T; ++t) {
      float* __restrict c = L.cur.data() + size_t(t) * O;
      const float* x = in + size_t(t) * I;
      for (int i = 0; i < I; ++i) {
        if (x[i] == 0.f) continue;
        const float a = x[i];
        const float* __restrict w = W + size_t(i) * O;
#pragma omp simd
        for (int j = 0; j < O; ++j) c[j] += a * w[j];
      }
    }
  }
  // LIF scan: v <- lambda v + C[t]; spike into row t + 1
  thread_local std::vector<float> v;
  v.assign(O, 0.f);
  std::fill(L.s.begin(), L.s.begin() + O, 0.f);  // s(0) = 0
  std::fill(L.n.begin(), L.n.end(), 0.f);
  const float th = p_.threshold, lam = lambda_;
  for (int t = 0; t < T; ++t) {
    const float* c = L.cur.data() + size_t(t) * O;
    float* s = L.s.data() + size_t(t + 1) * O;
    for (int j = 0; j < O; ++j) {
      const float vv = lam * v[j] + c[j];
      const bool sp = vv >= th && L.mask[j];
      v[j] = sp ? vv - th : vv;
      s[j] = sp ? scale : 0.f;
      L.n[j] += float(sp);
    }
  }
  if (!learn) return;
  // traces tr(t + 1) = lambda tr(t) + min(in(t), 1)
  std::fill(L.tr.begin(), L.tr.begin() + I, 0.f);
  for (int t = 0; t < T; ++t) {
    const float* prev = L.tr.data() + size_t(t) * I;
    float* next = L.tr.data() + size_t(t + 1) * I;
    const float* x = in + size_t(t) * I;
    for (int i = 0; i < I; ++i) next[i] = lam * prev[i] + std::min(x[i], 1.f);
  }
}

void DesireNet::update_layer(int l, float lr, SimEngine e, DesireLayerState& L) {
  const int T = p_.timesteps, I = sizes_[l], O = sizes_[l + 1];
  float* W = w_[l].data();
  const DesireRule rule{lr};
  if (e == SimEngine::Dense) {
    // D[t, j] = sign_j at spikes of active, unmasked j; W += lr tr[1..T]^T D
    bool any = false;
    for (int t = 0; t < T; ++t) {
      const float* s = L.s.data() + size_t(t + 1) * O;
      float* d = L.d.data() + size_t(t) * O;
      for (int j = 0; j < O; ++j) {
        d[j] = (s[j] > 0.f && L.active[j] && L.mask[j]) ? L.sign[j] : 0.f;
        any = any || d[j] != 0.f;
      }
    }
    if (any) gemm_tn(I, O, T, lr, L.tr.data() + I, L.d.data(), 1.f, W);
    return;
  }
  thread_local std::vector<int> post;
  for (int t = 0; t < T; ++t) {
    const float* s = L.s.data() + size_t(t + 1) * O;
    post.clear();
    for (int j = 0; j < O; ++j)
      if (s[j] > 0.f && L.active[j] && L.mask[j]) post.push_back(j);
    if (post.empty()) continue;
    const float* tr = L.tr.data() + size_t(t + 1) * I;
    for (int i = 0; i < I; ++i) {
      if (tr[i] == 0.f) continue;
      float* w = W + size_t(i) * O;
      for (int j : post) w[j] = rule.on_post(w[j], L.sign[j], tr[i]);
    }
  }
}

bool DesireNet::present(const float* x, int label, bool learn, float lr, SimEngine e, Rng& rng, DesireState& st,
                        float* out) {
  const int T = p_.timesteps, I0 = sizes_[0], nl = int(w_.size());
  // dropout masks, drawn per sample in a fixed order (input, then hidden layers)
  std::fill(st.mask0.begin(), st.mask0.end(), 1);
  for (auto& L : st.layer) std::fill(L.mask.begin(), L.mask.end(), 1);
  if (learn) {
    if (p_.dropout_input > 0)
      for (auto& m : st.mask0) m = rng.uniform() >= p_.dropout_input;
    if (p_.dropout_hidden > 0)
      for (int l = 0; l + 1 < nl; ++l)
        for (auto& m : st.layer[l].mask) m = rng.uniform() >= p_.dropout_hidden;
  }
  // input layer: integrate-and-fire on the grey levels
  const float scale0 = (learn && p_.dropout_input > 0) ? 1.f / (1.f - p_.dropout_input) : 1.f;
  std::fill(st.u.begin(), st.u.end(), 0.f);
  for (int t = 0; t < T; ++t) {
    float* s = st.s0.data() + size_t(t) * I0;
    for (int i = 0; i < I0; ++i) {
      const float u = st.u[i] + x[i];
      const bool sp = u >= p_.threshold && st.mask0[i];
      st.u[i] = sp ? u - p_.threshold : u;
      s[i] = sp ? scale0 : 0.f;
      st.input_spikes += sp;
    }
  }
  for (int l = 0; l < nl; ++l) {
    const float* in = l == 0 ? st.s0.data() : st.layer[l - 1].s.data();  // rows 0..T-1
    forward_layer(l, in, learn, e, st);
  }
  for (auto& L : st.layer)
    for (float c : L.n) L.spikes += c;
  st.samples += 1;
  const DesireLayerState& Lout = st.layer[nl - 1];
  const int C = sizes_[nl];
  std::copy(Lout.n.begin(), Lout.n.end(), out);
  const float best = *std::max_element(out, out + C);
  const bool correct = out[label] == best && std::count(out, out + C, best) == 1;
  if (!learn) return correct;
  // desire: output layer from the label, then down through the weights
  output_desire(Lout.n.data(), C, label, T, p_.error_margin, p_.theta_out, st.layer[nl - 1].active.data(),
                st.layer[nl - 1].sign.data());
  for (int l = nl - 1; l >= 1; --l) {
    DesireLayerState& up = st.layer[l];
    DesireLayerState& down = st.layer[l - 1];
    const int I = sizes_[l], O = sizes_[l + 1];
    for (int k = 0; k < O; ++k)
      up.g[k] = desire_error(up.n[k], T, p_.error_margin, up.active[k], up.sign[k], up.mask[k]);
    gemm_nn(I, 1, O, 1.f, w_[l].data(), up.g.data(), 0.f, st.back.data());  // d = W g
    for (int j = 0; j < I; ++j) hidden_desire(st.back[j], p_.theta_hidden, down.active[j], down.sign[j]);
  }
  for (int l = 0; l < nl; ++l) update_layer(l, lr, e, st.layer[l]);
  return correct;
}

}  // namespace spikeforge
