// Weight initialisation for a layer with fan_in inputs per output.
//   kaiming_uniform (default, PyTorch's nn.Linear/Conv2d default, a = sqrt(5)):
//       W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),  b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
//   kaiming_normal (He et al. 2015, ReLU gain):
//       W ~ N(0, 2/fan_in),                       b = 0
#pragma once
#include <cstdint>

#include "core/rng.h"
#include "nn/layer.h"

namespace spikeforge {

void init_weights(InitKind kind, int64_t fan_in, float* w, int64_t nw, float* b, int64_t nb, Rng& rng);

// init_gain (a config key): every synaptic weight (linear, conv2d, the sparse
// linear_lif) times gain after the initialisation, e.g. kaiming_normal with
// gain g gives N(0, 2 g^2 / fan_in) (Perez-Nieves & Goodman scale the input
// weights to std 20 (1 - beta) / sqrt(fan_in): g = 1.34 for tau_mem = 10 ms).
void scale_synaptic_weights(class Network& net, float gain);

}  // namespace spikeforge
