#include "nn/init.h"

#include <cmath>

namespace spikeforge {

void init_weights(InitKind kind, int64_t fan_in, float* w, int64_t nw, float* b, int64_t nb, Rng& rng) {
  const float bound = 1.f / std::sqrt(float(fan_in));
  if (kind == InitKind::KaimingUniform) {
    for (int64_t i = 0; i < nw; ++i) w[i] = rng.uniform(-bound, bound);
    for (int64_t i = 0; i < nb; ++i) b[i] = rng.uniform(-bound, bound);
    return;
  }
  const float std = std::sqrt(2.f / float(fan_in));
  for (int64_t i = 0; i < nw; ++i) w[i] = std * rng.normal();
  for (int64_t i = 0; i < nb; ++i) b[i] = 0.f;
}

}  // namespace spikeforge
