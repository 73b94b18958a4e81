#include "nn/ilif_layer.h"

#include <algorithm>

#include "core/error.h"
#include "nn/neuron_scan.h"

namespace spikeforge {

IlifLayer::IlifLayer(FeatShape in, float k, float theta) : k_(k), theta_(theta) {
  in_ = out_ = in;
  if (!(k >= 1.f) || !(theta > 0.f))
    throw ShapeError("ilif: k = " + std::to_string(k) + ", theta = " + std::to_string(theta) +
                     ", expected k >= 1 and theta > 0");
}

void IlifLayer::prepare(int Tin, int T, int B) { Layer::prepare(Tin, T, B); }

void IlifLayer::forward(const float* in, float* out, bool) {
  const int64_t n = int64_t(B_) * in_.size();
  const int T = T_, Tin = Tin_;
  const float k = k_, theta = theta_;
  double count = 0;
#pragma omp parallel reduction(+ : count)
  {
    int64_t lo, hi, c = 0;
    thread_slice(n, lo, hi);
    alignas(64) float V[kScanTile];
    for (int64_t i0 = lo; i0 < hi; i0 += kScanTile) {
      const int64_t len = std::min(kScanTile, hi - i0);
      for (int64_t i = 0; i < len; ++i) V[i] = 0.f;
      for (int t = 0; t < T; ++t) {  // accumulate: V_t = k V_{t-1} + I_t
        const float* __restrict xt = in + (Tin == 1 ? 0 : int64_t(t) * n) + i0;
#pragma omp simd
        for (int64_t i = 0; i < len; ++i) V[i] = k * V[i] + xt[i];
      }
      for (int j = 0; j < T; ++j) {  // fire: V <- k V, s_j = H(V - theta), V <- V - theta s_j
        float* __restrict st = out + int64_t(j) * n + i0;
#pragma omp simd reduction(+ : c)
        for (int64_t i = 0; i < len; ++i) {
          const float v = k * V[i];
          const float s = v >= theta ? 1.f : 0.f;
          V[i] = v - theta * s;
          st[i] = s;
          c += v >= theta;
        }
      }
    }
    count += double(c);
  }
  spikes_ += count;
}

void IlifLayer::backward(const float*, float*) {
  throw InternalError("ilif: the SpikeConverter neuron is inference only (no backward)");
}

}  // namespace spikeforge
