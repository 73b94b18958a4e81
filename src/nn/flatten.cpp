#include "nn/flatten.h"

#include <cstring>

namespace spikeforge {

void Flatten::forward(const float* in, float* out, bool) {
  std::memcpy(out, in, sizeof(float) * Tin_ * B_ * in_.size());
}

void Flatten::backward(const float* dout, float* din) {
  if (din) std::memcpy(din, dout, sizeof(float) * Tin_ * B_ * in_.size());
}

}  // namespace spikeforge
