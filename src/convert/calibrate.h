// Data-based normalisation for ANN-to-SNN conversion (Diehl et al. 2015;
// "robust normalisation", Rueckauer et al. 2017): each ReLU's spiking
// threshold is a high percentile of its activations on calibration images
// from the training split, not the maximum, so a few outliers do not waste
// the code's resolution (the neuron clips above it).
//   theta_l = percentile_p { a_l(x) > 0 : x in calibration set }
// Only positive activations count (zeros would push the percentile down in
// sparse layers). A ReLU with a ceiling c is already clipped: theta_l = c.
// Values are subsampled to at most kCalibValuesPerLayer per layer, evenly
// over the data (deterministic).
#pragma once
#include <cstdint>
#include <vector>

#include "nn/network.h"

namespace spikeforge {

constexpr int64_t kCalibValuesPerLayer = int64_t(1) << 22;

// images [n, F] in the network's input layout; one forward per batch in eval
// mode with one step. Returns theta per node (0 for nodes that are not ReLUs).
std::vector<float> calibrate_relu_thresholds(Network& ann, const float* images, int64_t n, double percentile,
                                             int batch = 100);

}  // namespace spikeforge
