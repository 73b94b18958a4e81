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

#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/network.h"
#include "nn/sparse_spiking_linear.h"

namespace spikeforge {

void scale_synaptic_weights(Network& net, float gain) {
  if (gain == 1.f) return;
  for (auto& l : net.layers()) {
    float* w = nullptr;
    int64_t n = 0;
    if (auto* c = dynamic_cast<Conv2d*>(l.get()))
      w = c->weight(), n = int64_t(c->out_channels()) * c->geom().col_rows();
    else if (auto* li = dynamic_cast<Linear*>(l.get()))
      w = li->weight(), n = li->in_shape().size() * li->out_shape().size();
    else if (auto* s = dynamic_cast<SparseSpikingLinear*>(l.get()))
      w = s->synapse().weight(), n = s->in_shape().size() * s->out_shape().size();
    for (int64_t i = 0; i < n; ++i) w[i] *= gain;
  }
}

}  // namespace spikeforge
