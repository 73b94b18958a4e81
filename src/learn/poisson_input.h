// Poisson input population (Brian's PoissonGroup): neuron i fires in each
// step independently with probability p_i = rate_i * dt, rate_i = max_rate * x_i
// for a grey level x_i in [0, 1].
//
// Sampled by intervals, not by a draw per neuron and step: the number of
// silent steps before a neuron's next spike is geometric,
//   k = floor(ln(u) / ln(1 - p)),  u uniform in (0, 1]
// (the same distribution as T independent Bernoulli(p) trials, at a cost
// proportional to the spikes). The raster is stored by step, each step's
// indices ascending, so both simulations read the same spikes.
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace spikeforge {

struct SpikeRaster {
  int T = 0, N = 0;
  std::vector<int> offset;  // [T + 1]: step t holds index[offset[t] .. offset[t+1])
  std::vector<int> index;   // neuron indices, ascending within a step

  int count(int t) const { return offset[t + 1] - offset[t]; }
  const int* begin(int t) const { return index.data() + offset[t]; }
  int64_t total() const { return int64_t(index.size()); }
};

// x [N] grey levels in [0, 1]; rate_hz for x = 1; dt_ms the step; T steps.
void poisson_raster(const float* x, int N, float rate_hz, float dt_ms, int T, Rng& rng, SpikeRaster& out);

}  // namespace spikeforge
