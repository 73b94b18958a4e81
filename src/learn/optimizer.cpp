#include "learn/optimizer.h"

#include <cmath>

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<OptimizerKind> kOptimizerNames[] = {
    {"sgd", OptimizerKind::Sgd}, {"adam", OptimizerKind::Adam}, {"adamw", OptimizerKind::AdamW}};

OptimizerKind parse_optimizer_kind(const std::string& s) { return parse_enum("optimizer", s, kOptimizerNames); }

Optimizer::Optimizer(OptimizerParams p, int64_t n) : p_(p), m_(n, 0.f), v_(p.kind == OptimizerKind::Sgd ? 0 : n, 0.f) {}

void Optimizer::step(float* w, const float* g, int64_t n, float lr) {
  ++steps_;
  const float wd = p_.weight_decay;
  float* m = m_.data();
  if (p_.kind == OptimizerKind::Sgd) {
    const float mu = p_.momentum;
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      m[i] = mu * m[i] + (g[i] + wd * w[i]);
      w[i] -= lr * m[i];
    }
    return;
  }
  float* v = v_.data();
  const float b1 = p_.beta1, b2 = p_.beta2, eps = p_.eps;
  const float c1 = 1.f / (1.f - std::pow(b1, float(steps_))), c2 = 1.f / (1.f - std::pow(b2, float(steps_)));
  const bool decoupled = p_.kind == OptimizerKind::AdamW;
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    float gi = decoupled ? g[i] : g[i] + wd * w[i];
    if (decoupled) w[i] *= 1.f - lr * wd;
    m[i] = b1 * m[i] + (1.f - b1) * gi;
    v[i] = b2 * v[i] + (1.f - b2) * gi * gi;
    w[i] -= lr * (m[i] * c1) / (std::sqrt(v[i] * c2) + eps);
  }
}

std::vector<float> Optimizer::state() const {
  std::vector<float> s;
  s.reserve(1 + m_.size() + v_.size());
  s.push_back(float(steps_));
  s.insert(s.end(), m_.begin(), m_.end());
  s.insert(s.end(), v_.begin(), v_.end());
  return s;
}

void Optimizer::load_state(const std::vector<float>& s, const std::string& origin) {
  if (s.size() != 1 + m_.size() + v_.size())
    throw InputError(origin + ": optimizer state has " + std::to_string(s.size()) + " values, expected " +
                     std::to_string(1 + m_.size() + v_.size()));
  steps_ = static_cast<int64_t>(s[0]);
  std::copy(s.begin() + 1, s.begin() + 1 + m_.size(), m_.begin());
  std::copy(s.begin() + 1 + m_.size(), s.end(), v_.begin());
}

}  // namespace spikeforge
