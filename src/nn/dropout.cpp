#include "nn/dropout.h"

#include <cstring>

#include "core/error.h"

namespace spikeforge {

Dropout::Dropout(FeatShape in, float p, uint64_t seed) : p_(p), seed_(seed) {
  if (!(p >= 0.f && p < 1.f)) throw ConfigError("dropout p = " + std::to_string(p) + ", expected 0 <= p < 1");
  in_ = out_ = in;
}

void Dropout::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  Layer::prepare(Tin, T, B);
  mask_.resize({B, in_.size()});
}

void Dropout::forward(const float* in, float* out, bool train) {
  train_ = train && p_ > 0.f;
  const int64_t n = int64_t(B_) * in_.size();
  if (!train_) {
    std::memcpy(out, in, sizeof(float) * Tin_ * n);
    return;
  }
  Rng rng = Rng(seed_).derive(calls_++);
  const float keep = 1.f / (1.f - p_);
  float* m = mask_.data();
  for (int64_t i = 0; i < n; ++i) m[i] = rng.uniform() >= p_ ? keep : 0.f;
  for (int t = 0; t < Tin_; ++t)
    for (int64_t i = 0; i < n; ++i) out[t * n + i] = m[i] * in[t * n + i];
}

void Dropout::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t n = int64_t(B_) * in_.size();
  if (!train_) {
    std::memcpy(din, dout, sizeof(float) * Tin_ * n);
    return;
  }
  const float* m = mask_.data();
  for (int t = 0; t < Tin_; ++t)
    for (int64_t i = 0; i < n; ++i) din[t * n + i] = m[i] * dout[t * n + i];
}

}  // namespace spikeforge
