#include "learn/weight_average.h"

#include <algorithm>

#include "core/error.h"

namespace spikeforge {

WeightAverage::WeightAverage(float decay, const std::vector<float>& params) : decay_(decay) {
  if (active()) avg_ = params;
}

void WeightAverage::update(const std::vector<float>& params) {
  if (!active()) return;
  ++steps_;
  const float d = std::min(decay_, float(1 + steps_) / float(10 + steps_));
  const float* p = params.data();
  float* a = avg_.data();
  const int64_t n = int64_t(avg_.size());
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) a[i] = d * a[i] + (1 - d) * p[i];
}

void WeightAverage::swap(std::vector<float>& params) {
  if (active()) std::swap_ranges(avg_.begin(), avg_.end(), params.begin());
}

void WeightAverage::load(std::vector<float> average, int64_t steps, size_t param_count, const std::string& origin) {
  if (average.size() != param_count || steps < 0)
    throw InputError(origin + ": weight average of " + std::to_string(average.size()) + " parameters after " +
                     std::to_string(steps) + " steps, expected " + std::to_string(param_count) +
                     " parameters and a step count >= 0");
  avg_ = std::move(average);
  steps_ = steps;
}

}  // namespace spikeforge
