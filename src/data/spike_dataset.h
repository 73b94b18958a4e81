// A spike (event) data set held in memory, and the two ways one is made and used:
//
// Binning (bin_spikes). T bins of width dt = duration / T cover [0, duration):
//   bin(t_e) = floor(t_e * T / duration)     (in double, on the stored float32 time)
// so bin t holds the events with t*dt <= t_e < (t+1)*dt: an event exactly on an
// edge goes to the later bin, an event at t_e >= duration is DROPPED (never
// folded into the last bin). Output out[t, b, n] ([T, B, N], time-major):
//   SpikeBinning::Count  the number of events of sample b on unit n in bin t (0, 1, 2, ...)
//   SpikeBinning::Clip   min(count, 1): binary spikes, as the dense engine expects
// npvoid/SparseSpikingBackprop (train_and_time.py, sparse_data_generator_h5)
// instead rounds SHD times to the nearest step (round(t_e/dt), kept if < T)
// and sums duplicate events (counts); to reproduce that, add dt/2 to the
// times. Its Fashion-MNIST latency code floors (int cast), as here.
//
// Latency coding (latency_code), one spike per pixel at most, as Perez-Nieves &
// Goodman 2021 code Fashion-MNIST (npvoid/SparseSpikingBackprop,
// current2firing_time):
//   t = tau_eff * ln(x / (x - theta))   for x > theta;  no spike for x <= theta
// the time at which a leaky membrane tau_eff dv/dt = -v + x with v(0) = 0, i.e.
// v(t) = x (1 - exp(-t/tau_eff)), driven by the pixel value x, reaches theta
// (x (1 - e^(-t/tau)) = theta <=> t = tau ln(x/(x-theta))): bright pixels fire first
// (x = 1 at tau_eff ln 1.25 = 4.46 ms for the defaults); t grows without bound
// as x falls to theta, so such pixels may fire past the binning duration (dropped there).
// Parameters (defaults from the reference's config.py, CONFIG_FASHION_MNIST):
//   theta    0.2    grey level (a.u.)  pixels x <= theta never fire
//   tau_eff  0.020  s                  effective time constant
// Verified: the formula and both defaults against ../shared/papers/NOTES.md
// section 4 ("input latency code t = tau_eff ln(x/(x-0.2)) for x > 0.2
// (tau_eff = 20 ms)", and its pitfalls: "no spike for x <= 0.2") and against the
// reference code (current2firing_time: tau = 20e-3 s / time_step, thr = 0.2,
// T = tau*log(x/(x-thr)), pixels x < thr get tmax, i.e. no spike; x == thr is
// clipped to thr + 1e-7 there, which fires at ~14.5 tau = 290 ms, past its
// 100 ms window: the same as no spike). The reference divides tau by the step
// (1 ms, 100 steps) and floors; bin_spikes with T = 100, duration = 0.1 s gives
// the same steps. Pixels are grey levels in [0, 1] (Fashion-MNIST: grey / 255, as
// in the reference).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "data/image_dataset.h"

namespace spikeforge {

struct SpikeDataset {
  int64_t count = 0;             // S samples
  int num_units = 0;             // N input channels
  int num_classes = 0;           // labels are 0..num_classes-1
  std::vector<int64_t> offsets;  // [S + 1]: sample i's events are [offsets[i], offsets[i+1])
  std::vector<float> times;      // [E], seconds, >= 0
  std::vector<uint16_t> units;   // [E], 0..num_units-1 (so at most 65536 units)
  std::vector<int> labels;       // [S]

  int64_t num_events() const { return offsets.empty() ? 0 : offsets.back(); }
  int64_t num_events(int64_t i) const { return offsets[i + 1] - offsets[i]; }
};

// An SHD-layout HDF5 file (io/hdf5_spikes.h; errors as read_shd_spikes).
// num_units is the file's (max unit + 1 unless the file says); pass
// min_units = kShdUnits (700) so that train and test agree.
SpikeDataset load_shd(const std::string& path, int min_units = 0);

enum class SpikeBinning { Count, Clip };

// out: [T, B, N] with N = ds.num_units, overwritten (binning rule atop this file).
// samples: [B] indices into ds. Throws ConfigError for T < 1 or a duration that
// is not finite and > 0, InternalError for a sample index out of range.
void bin_spikes(const SpikeDataset& ds, const int64_t* samples, int B, int T, float duration, SpikeBinning mode,
                float* out);
// The same into a Tensor, resized to [T, B, N].
void bin_spikes(const SpikeDataset& ds, const int64_t* samples, int B, int T, float duration, SpikeBinning mode,
                Tensor& out);

struct LatencyCodeParams {
  float theta = 0.2f;     // a.u., pixels x <= theta never fire
  float tau_eff = 0.02f;  // s
};

// One spike per pixel x > theta at t = tau_eff ln(x / (x - theta)) (seconds),
// unit = pixel index c*H*W + h*W + w, so num_units = C*H*W. Within a sample the
// events are sorted by time, ties by unit. Throws ConfigError for theta not finite
// and >= 0 or tau_eff not finite and > 0, ShapeError for more than 65536 pixels.
SpikeDataset latency_code(const ImageDataset& images, const LatencyCodeParams& p = {});

}  // namespace spikeforge
