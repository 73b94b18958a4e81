// Gradient clipping by the global L2 norm over all parameters (PyTorch's
// clip_grad_norm_): one call over the network's flat gradient buffer.
//   n = ||g||_2;  if n > c:  g <- g c / n
#pragma once
#include <cstdint>

namespace spikeforge {

// Returns the norm before clipping; c <= 0 only measures.
double clip_grad_norm(float* g, int64_t n, float c);

}  // namespace spikeforge
