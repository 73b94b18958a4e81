#include "learn/stdp.h"

#include <vector>

#include "core/enum_names.h"

namespace spikeforge {

static constexpr EnumName<StdpPairing> kPairings[] = {{"nearest", StdpPairing::Nearest}, {"all", StdpPairing::All}};
static constexpr EnumName<StdpUpdate> kUpdates[] = {{"additive", StdpUpdate::Additive},
                                                    {"multiplicative", StdpUpdate::Multiplicative}};

StdpPairing parse_stdp_pairing(const std::string& s) { return parse_enum("pairing", s, kPairings); }
StdpUpdate parse_stdp_update(const std::string& s) { return parse_enum("update", s, kUpdates); }
const char* stdp_pairing_name(StdpPairing p) { return enum_name(p, kPairings); }
const char* stdp_update_name(StdpUpdate u) { return enum_name(u, kUpdates); }

StdpKernel::StdpKernel(const StdpParams& params, float dt_ms)
    : p(params),
      pre(make_trace(params.tau_pre, dt_ms, params.pairing)),
      post(make_trace(params.tau_post, dt_ms, params.pairing)),
      slow(make_trace(params.tau_post_slow, dt_ms, params.pairing)) {}

namespace {

template <StdpUpdate U>
void stdp_weights(SimEngine e, const StdpParams& p, float* W, int I, int O, const float* x, const float* y,
                  const float* z, const SpikeSet& s_pre, const SpikeSet& s_post) {
  const StdpRule<U> rule = make_stdp_rule<U>(p);
  update_weights(
      e, W, I, O, s_pre, s_post, [&](float w, int, int j) { return rule.on_pre(w, y[j]); },
      [&](float w, int i, int j) { return rule.on_post(w, x[i], z[j]); });
}

}  // namespace

void StdpKernel::step(SimEngine e, float* W, int I, int O, float* x, float* y, float* z, const SpikeSet& s_pre,
                      const SpikeSet& s_post) const {
  for (int i = 0; i < I; ++i) x[i] = pre.decay(x[i]);
  for (int j = 0; j < O; ++j) y[j] = post.decay(y[j]), z[j] = slow.decay(z[j]);
  for (int i : s_pre.list) x[i] = pre.jump(x[i]);
  if (p.update == StdpUpdate::Additive)
    stdp_weights<StdpUpdate::Additive>(e, p, W, I, O, x, y, z, s_pre, s_post);
  else
    stdp_weights<StdpUpdate::Multiplicative>(e, p, W, I, O, x, y, z, s_pre, s_post);
  for (int j : s_post.list) y[j] = post.jump(y[j]), z[j] = slow.jump(z[j]);
}

void normalize_incoming(float* w, int I, int O, float target) {
  thread_local std::vector<double> sum;  // [O]
  sum.assign(O, 0.0);
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < O; ++j) sum[j] += w[int64_t(i) * O + j];
  thread_local std::vector<float> f;  // [O]
  f.resize(O);
  for (int j = 0; j < O; ++j) f[j] = sum[j] > 0 ? float(double(target) / sum[j]) : 0.f;
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < O; ++j) w[int64_t(i) * O + j] *= f[j];
}

}  // namespace spikeforge
