#include "nn/dale.h"

#include <algorithm>
#include <cmath>

namespace spikeforge {

int64_t excitatory_count(int64_t n, float fraction) {
  return std::clamp<int64_t>(std::llround(double(fraction) * double(n)), 0, n);
}

void apply_dale_init(const SignBlock& b) {
  const int64_t nE = b.n_exc, nI = b.cols - b.n_exc;
  const float cE = nI > 0 && nE > 0 ? std::sqrt(float(nI) / float(nE)) : 1.f;
  const float cI = nI > 0 && nE > 0 ? std::sqrt(float(nE) / float(nI)) : 1.f;
  for (int64_t r = 0; r < b.rows; ++r) {
    float* w = b.w + r * b.cols;
    for (int64_t j = 0; j < b.cols; ++j) w[j] = j < nE ? cE * std::fabs(w[j]) : -cI * std::fabs(w[j]);
  }
}

void project_dale(const SignBlock& b) {
#pragma omp parallel for schedule(static) if (b.rows * b.cols > 65536)
  for (int64_t r = 0; r < b.rows; ++r) {
    float* w = b.w + r * b.cols;
    for (int64_t j = 0; j < b.n_exc; ++j) w[j] = std::max(w[j], 0.f);       // excitatory: W >= 0
    for (int64_t j = b.n_exc; j < b.cols; ++j) w[j] = std::min(w[j], 0.f);  // inhibitory: W <= 0
  }
}

int64_t dale_violations(const SignBlock& b) {
  int64_t bad = 0;
  for (int64_t r = 0; r < b.rows; ++r)
    for (int64_t j = 0; j < b.cols; ++j) {
      const float w = b.w[r * b.cols + j];
      bad += j < b.n_exc ? w < 0.f : w > 0.f;
    }
  return bad;
}

}  // namespace spikeforge
