// Wall-clock timing for benchmarks: the median of repeated runs after one
// warm-up (first-touch pages, BLAS buffers), in milliseconds.
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace spikeforge {

template <class F>
double median_ms(int repeats, F&& f) {
  f();
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

// The medians of several alternatives timed round-robin (one warm-up each,
// then repeats rounds of each in turn): a burst of load on a shared machine
// then falls on all of them, not on whichever happened to run in it.
inline std::vector<double> interleaved_median_ms(int repeats, const std::vector<std::function<void()>>& fs) {
  for (const auto& f : fs) f();
  std::vector<std::vector<double>> ms(fs.size());
  for (int i = 0; i < repeats; ++i)
    for (size_t k = 0; k < fs.size(); ++k) {
      auto t0 = std::chrono::steady_clock::now();
      fs[k]();
      ms[k].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  std::vector<double> med;
  for (auto& v : ms) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    med.push_back(v[v.size() / 2]);
  }
  return med;
}

// The median of recorded samples (ms), e.g. per-batch times of a training loop.
inline double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace spikeforge
