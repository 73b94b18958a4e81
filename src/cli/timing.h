// Wall-clock timing for benchmarks: the median of repeated runs after one
// warm-up (first-touch pages, BLAS buffers), in milliseconds.
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <numeric>
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
// then falls on all of them, not on whichever happened to run in it. The
// rounds step through all orders of the alternatives (next_permutation), so
// each follows each other one equally often: what one leaves in the caches
// (the dense path's W, say) then helps or hurts all of them alike. In a fixed
// order two runs of the same code differed by up to 40 %.
inline std::vector<double> interleaved_median_ms(int repeats, const std::vector<std::function<void()>>& fs) {
  for (const auto& f : fs) f();
  std::vector<std::vector<double>> ms(fs.size());
  std::vector<size_t> order(fs.size());
  std::iota(order.begin(), order.end(), size_t(0));
  for (int i = 0; i < repeats; ++i) {
    for (size_t k : order) {
      auto t0 = std::chrono::steady_clock::now();
      fs[k]();
      ms[k].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::next_permutation(order.begin(), order.end());
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
