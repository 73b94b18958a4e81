#include "convert/calibrate.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/relu.h"

namespace spikeforge {

std::vector<float> calibrate_relu_thresholds(Network& ann, const float* images, int64_t n, double percentile,
                                             int batch) {
  if (n < 1) throw ShapeError("calibration: no calibration images, expected at least 1");
  if (!(percentile > 0 && percentile <= 100))
    throw ConfigError("calibration: percentile = " + std::to_string(percentile) + ", expected a number in (0, 100]");
  const auto& layers = ann.layers();
  const int64_t F = ann.input_shape().size();
  std::vector<std::vector<float>> values(layers.size());
  std::vector<int64_t> stride(layers.size(), 1);
  for (size_t i = 0; i < layers.size(); ++i) {  // keep every stride-th positive value
    const int64_t total = n * layers[i]->out_shape().size();
    stride[i] = std::max<int64_t>(1, total / kCalibValuesPerLayer);
  }
  for (int64_t b0 = 0; b0 < n; b0 += batch) {
    const int B = int(std::min<int64_t>(batch, n - b0));
    ann.prepare(1, 1, B);
    ann.forward(images + b0 * F, /*train=*/false);
    for (size_t i = 0; i < layers.size(); ++i) {
      auto* r = dynamic_cast<const Relu*>(layers[i].get());
      if (!r || r->ceiling() > 0) continue;
      const float* a = ann.act(int(i));
      const int64_t m = int64_t(B) * layers[i]->out_shape().size();
      for (int64_t e = 0; e < m; e += stride[i])
        if (a[e] > 0) values[i].push_back(a[e]);
    }
  }
  std::vector<float> theta(layers.size(), 0.f);
  for (size_t i = 0; i < layers.size(); ++i) {
    auto* r = dynamic_cast<const Relu*>(layers[i].get());
    if (!r) continue;
    if (r->ceiling() > 0) {
      theta[i] = r->ceiling();
      continue;
    }
    std::vector<float>& v = values[i];
    if (v.empty())
      throw ShapeError("calibration: relu (node " + std::to_string(i) +
                       ") never fired on the calibration images, expected some positive activation");
    const size_t at = std::min(v.size() - 1, size_t(std::floor(percentile / 100.0 * double(v.size() - 1) + 0.5)));
    std::nth_element(v.begin(), v.begin() + at, v.end());
    theta[i] = v[at];
  }
  return theta;
}

}  // namespace spikeforge
