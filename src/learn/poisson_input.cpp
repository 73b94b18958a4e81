#include "learn/poisson_input.h"

#include <cmath>

namespace spikeforge {

void poisson_raster(const float* x, int N, float rate_hz, float dt_ms, int T, Rng& rng, SpikeRaster& out) {
  out.T = T;
  out.N = N;
  out.offset.assign(T + 2, 0);
  out.index.clear();
  // Pass 1: spike steps per neuron (neuron-major), counted per step.
  thread_local std::vector<std::pair<int, int>> ev;  // (step, neuron)
  ev.clear();
  for (int i = 0; i < N; ++i) {
    const double p = double(rate_hz) * double(x[i]) * double(dt_ms) * 1e-3;
    if (p <= 0) continue;
    if (p >= 1) {
      for (int t = 0; t < T; ++t) ev.push_back({t, i});
      continue;
    }
    const double inv_log_q = 1.0 / std::log1p(-p);
    for (int t = -1;;) {
      const double u = 1.0 - double(rng.next_u64() >> 11) * 0x1.0p-53;  // (0, 1]
      const double k = std::floor(std::log(u) * inv_log_q);
      if (k >= double(T - 1 - t)) break;
      t += 1 + int(k);
      ev.push_back({t, i});
    }
  }
  // Pass 2: counting sort by step; neurons stay ascending within a step.
  for (const auto& e : ev) ++out.offset[e.first + 1];
  for (int t = 0; t < T; ++t) out.offset[t + 1] += out.offset[t];
  out.index.resize(ev.size());
  thread_local std::vector<int> fill;
  fill.assign(out.offset.begin(), out.offset.begin() + T);
  for (const auto& e : ev) out.index[fill[e.first]++] = e.second;
  out.offset.resize(T + 1);
}

}  // namespace spikeforge
