#include "data/spike_dataset.h"

#include "data/encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "io/hdf5_spikes.h"

namespace spikeforge {

SpikeDataset load_shd(const std::string& path, int min_units) {
  ShdSpikes raw = read_shd_spikes(path);
  SpikeDataset ds;
  ds.count = raw.count;
  ds.num_units = std::max(raw.num_units, min_units);
  ds.num_classes = raw.num_classes;
  ds.offsets = std::move(raw.offsets);
  ds.times = std::move(raw.times);
  ds.units = std::move(raw.units);
  ds.labels = std::move(raw.labels);
  return ds;
}

void bin_spikes(const SpikeDataset& ds, const int64_t* samples, int B, int T, float duration, SpikeBinning mode,
                float* out) {
  if (T < 1) throw ConfigError("spike binning: T = " + std::to_string(T) + " bins, expected an integer >= 1");
  if (!(std::isfinite(duration) && duration > 0.f))
    throw ConfigError("spike binning: duration = " + std::to_string(duration) + " s, expected a finite value > 0");
  const int64_t N = ds.num_units;
  const int64_t BN = int64_t(B) * N;
  std::memset(out, 0, sizeof(float) * size_t(T) * size_t(BN));  // [T, B, N]
  const double bins_per_second = double(T) / double(duration);
  for (int b = 0; b < B; ++b) {
    const int64_t s = samples[b];
    if (s < 0 || s >= ds.count)
      throw InternalError("bin_spikes: sample " + std::to_string(s) + " of " + std::to_string(ds.count));
    for (int64_t e = ds.offsets[s]; e < ds.offsets[s + 1]; ++e) {
      // bin = floor(t_e * T / duration); t_e >= duration is dropped.
      if (!(ds.times[e] < duration)) continue;
      const int64_t t = std::min<int64_t>(int64_t(double(ds.times[e]) * bins_per_second), T - 1);
      float& o = out[t * BN + int64_t(b) * N + ds.units[e]];
      o = mode == SpikeBinning::Clip ? 1.f : o + 1.f;
    }
  }
}

void bin_spikes(const SpikeDataset& ds, const int64_t* samples, int B, int T, float duration, SpikeBinning mode,
                Tensor& out) {
  if (T < 1) throw ConfigError("spike binning: T = " + std::to_string(T) + " bins, expected an integer >= 1");
  out.resize(Shape{T, B, ds.num_units});
  bin_spikes(ds, samples, B, T, duration, mode, out.data());
}

SpikeDataset latency_code(const ImageDataset& images, const LatencyCodeParams& p) {
  if (!(std::isfinite(p.theta) && p.theta >= 0.f))
    throw ConfigError("latency code: theta = " + std::to_string(p.theta) + ", expected a finite value >= 0");
  if (!(std::isfinite(p.tau_eff) && p.tau_eff > 0.f))
    throw ConfigError("latency code: tau_eff = " + std::to_string(p.tau_eff) + " s, expected a finite value > 0");
  const int64_t F = images.features();
  if (F > 65536)
    throw ShapeError("latency code: " + std::to_string(F) + " pixels per image, expected at most 65536 (16-bit units)");
  SpikeDataset ds;
  ds.count = images.count;
  ds.num_units = static_cast<int>(F);
  ds.num_classes = images.num_classes;
  ds.labels = images.labels;
  ds.offsets.assign(1, 0);
  ds.offsets.reserve(images.count + 1);
  std::vector<float> t(F);         // [F] firing time of each pixel that fires
  std::vector<uint16_t> order(F);  // [F] the pixels that fire, sorted by (time, index)
  const double theta = p.theta, tau = p.tau_eff;
  for (int64_t i = 0; i < images.count; ++i) {
    const float* x = images.image(i);
    int64_t fired = 0;
    for (int64_t f = 0; f < F; ++f) {
      // t = tau_eff * ln(x / (x - theta)) for x > theta, else no spike.
      if (x[f] > p.theta) {
        t[f] = static_cast<float>(latency_log_time(x[f], theta, tau));
        order[fired++] = static_cast<uint16_t>(f);
      }
    }
    std::stable_sort(order.begin(), order.begin() + fired, [&](uint16_t a, uint16_t b) { return t[a] < t[b]; });
    for (int64_t k = 0; k < fired; ++k) {
      ds.times.push_back(t[order[k]]);
      ds.units.push_back(order[k]);
    }
    ds.offsets.push_back(static_cast<int64_t>(ds.times.size()));
  }
  return ds;
}

}  // namespace spikeforge
