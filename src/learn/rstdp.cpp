#include "learn/rstdp.h"

namespace spikeforge {
namespace {
float flush(float z) { return std::fabs(z) > 1e-30f ? z : 0.f; }  // no subnormal arithmetic
}  // namespace

RstdpKernel::RstdpKernel(const RstdpParams& params, float dt_ms)
    : p(params),
      a_plus(std::exp(-dt_ms / params.tau_plus)),
      a_minus(std::exp(-dt_ms / params.tau_minus)),
      a_z(std::exp(-dt_ms / params.tau_z)) {}

void RstdpKernel::step(SimEngine e, int t, float* W, float* z, int* z_step, int I, int O, float* p_plus, float* p_minus,
                       const SpikeSet& s_pre, const SpikeSet& s_post, float d) const {
  for (int i = 0; i < I; ++i) p_plus[i] = flush(a_plus * p_plus[i]);
  for (int j = 0; j < O; ++j) p_minus[j] = flush(a_minus * p_minus[j]);
  for (int i : s_pre.list) p_plus[i] += p.a_plus;
  for (int j : s_post.list) p_minus[j] -= p.a_minus;
  const RstdpRule rule{p.eta, p.w_min, p.w_max};
  if (e == SimEngine::Dense) {  // every synapse, every step
    for (int i = 0; i < I; ++i) {
      const bool si = s_pre.flag[i];
      for (int j = 0; j < O; ++j) {
        const size_t k = size_t(i) * O + j;
        z[k] = flush(a_z * z[k]);
        if (si) z[k] = rule.on_pre(z[k], p_minus[j]);
        if (s_post.flag[j]) z[k] = rule.on_post(z[k], p_plus[i]);
        if (d != 0.f) W[k] = rule.on_reward(W[k], z[k], d);
      }
    }
    return;
  }
  auto catch_up = [&](size_t k) {  // the decays of the steps missed, one multiply each
    if (z[k] == 0.f) {
      z_step[k] = t;
      return;
    }
    for (; z_step[k] < t; ++z_step[k]) z[k] = flush(a_z * z[k]);
  };
  for (int i : s_pre.list)
    for (int j = 0; j < O; ++j) {
      const size_t k = size_t(i) * O + j;
      catch_up(k);
      z[k] = rule.on_pre(z[k], p_minus[j]);
    }
  for (int j : s_post.list)
    for (int i = 0; i < I; ++i) {
      const size_t k = size_t(i) * O + j;
      catch_up(k);
      z[k] = rule.on_post(z[k], p_plus[i]);
    }
  if (d != 0.f)
    for (size_t k = 0; k < size_t(I) * O; ++k) {
      catch_up(k);
      W[k] = rule.on_reward(W[k], z[k], d);
    }
}

}  // namespace spikeforge
