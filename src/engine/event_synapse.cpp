#include "engine/event_synapse.h"

#include <omp.h>

#include <algorithm>

#include "core/error.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/network.h"

namespace spikeforge {

EventSynapse::EventSynapse(Layer& layer) {
  in_size_ = layer.in_shape().size();
  if (auto* cv = dynamic_cast<Conv2d*>(&layer)) {
    const ConvGeom& g = cv->geom();
    conv_ = true;
    O_ = cv->out_channels(), C_ = g.C, H_ = g.H, W_ = g.W, K_ = g.K, S_ = g.S, P_ = g.P, Ho_ = g.Ho, Wo_ = g.Wo;
    Wt_.resize(size_t(C_) * K_ * K_ * O_);
    for (int o = 0; o < O_; ++o)
      for (int q = 0; q < C_ * K_ * K_; ++q) Wt_[size_t(q) * O_ + o] = cv->weight()[size_t(o) * C_ * K_ * K_ + q];
    bias_.assign(O_, 0.f);
    if (cv->bias()) std::copy(cv->bias(), cv->bias() + O_, bias_.begin());
    taps_.assign(size_t(H_) * W_, 0);
    for (int oy = 0; oy < Ho_; ++oy)
      for (int ox = 0; ox < Wo_; ++ox)
        for (int ky = 0; ky < K_; ++ky)
          for (int kx = 0; kx < K_; ++kx) {
            const int iy = oy * S_ - P_ + ky, ix = ox * S_ - P_ + kx;
            if (iy >= 0 && iy < H_ && ix >= 0 && ix < W_) ++taps_[size_t(iy) * W_ + ix];
          }
    return;
  }
  auto* li = dynamic_cast<Linear*>(&layer);
  if (!li) throw InternalError("EventSynapse: " + layer.kind() + " is not a synaptic layer");
  O_ = int(li->out_shape().size());
  const int64_t I = in_size_;
  Wt_.resize(size_t(I) * O_);
  for (int o = 0; o < O_; ++o)
    for (int64_t i = 0; i < I; ++i) Wt_[size_t(i) * O_ + o] = li->weight()[size_t(o) * I + i];
  bias_.assign(O_, 0.f);
  if (li->bias()) std::copy(li->bias(), li->bias() + O_, bias_.begin());
  taps_.assign(size_t(I), 1);
}

double EventSynapse::count_synops(const float* x, int64_t images) const {
  double ops = 0;
#pragma omp parallel for reduction(+ : ops) schedule(static)
  for (int64_t n = 0; n < images; ++n) {
    const float* xn = x + n * in_size_;
    int64_t taps = 0;
    for (int64_t i = 0; i < in_size_; ++i)
      if (xn[i] != 0.f) taps += taps_[size_t(conv_ ? i % (int64_t(H_) * W_) : i)];
    ops += double(taps) * O_;
  }
  return ops;
}

double EventSynapse::run(const float* x, int64_t images, float* y) {
  if (scratch_.size() < size_t(omp_get_max_threads())) scratch_.resize(size_t(omp_get_max_threads()));
  const int O = O_;
  const int64_t out_size = conv_ ? int64_t(O) * Ho_ * Wo_ : O;
  double ops = 0;
#pragma omp parallel reduction(+ : ops)
  {
    // [Ho*Wo, O] per thread, kept between calls (a fresh buffer per call made
    // the kernel clear pages: 26 % of an event-engine run, measured with perf)
    std::vector<float>& acc = scratch_[size_t(omp_get_thread_num())];
    if (conv_) acc.resize(size_t(Ho_) * Wo_ * O);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < images; ++n) {
      const float* xn = x + n * in_size_;
      float* yn = y + n * out_size;
      int64_t taps = 0;
      if (!conv_) {  // y = b + sum over events of the row Wt[i, :]
        std::copy(bias_.begin(), bias_.end(), yn);
        for (int64_t i = 0; i < in_size_; ++i) {
          if (xn[i] == 0.f) continue;
          const float* __restrict w = Wt_.data() + size_t(i) * O;
#pragma omp simd
          for (int o = 0; o < O; ++o) yn[o] += w[o];
          ++taps;
        }
        ops += double(taps) * O;
        continue;
      }
      for (int p = 0; p < Ho_ * Wo_; ++p) std::copy(bias_.begin(), bias_.end(), acc.begin() + size_t(p) * O);
      if (S_ == 1) {  // the taps of an event form a rectangle: no per-tap tests
        for (int c = 0; c < C_; ++c)
          for (int iy = 0; iy < H_; ++iy) {
            const float* xr = xn + (int64_t(c) * H_ + iy) * W_;
            const int ky0 = std::max(0, iy + P_ - (Ho_ - 1)), ky1 = std::min(K_ - 1, iy + P_);
            for (int ix = 0; ix < W_; ++ix) {
              if (xr[ix] == 0.f) continue;
              const int kx0 = std::max(0, ix + P_ - (Wo_ - 1)), kx1 = std::min(K_ - 1, ix + P_);
              for (int ky = ky0; ky <= ky1; ++ky) {
                float* arow = acc.data() + size_t(iy + P_ - ky) * Wo_ * O;  // output row oy = iy + P - ky
                const float* wrow = Wt_.data() + size_t((c * K_ + ky) * K_) * O;
                for (int kx = kx0; kx <= kx1; ++kx) {
                  float* __restrict a = arow + size_t(ix + P_ - kx) * O;
                  const float* __restrict w = wrow + size_t(kx) * O;
#pragma omp simd
                  for (int o = 0; o < O; ++o) a[o] += w[o];
                }
              }
              taps += int64_t(ky1 - ky0 + 1) * (kx1 - kx0 + 1);
            }
          }
      } else {
        for (int c = 0; c < C_; ++c)
          for (int iy = 0; iy < H_; ++iy)
            for (int ix = 0; ix < W_; ++ix) {
              if (xn[(int64_t(c) * H_ + iy) * W_ + ix] == 0.f) continue;
              for (int ky = 0; ky < K_; ++ky) {
                const int ty = iy + P_ - ky;  // = oy S
                if (ty < 0 || ty % S_ || ty / S_ >= Ho_) continue;
                for (int kx = 0; kx < K_; ++kx) {
                  const int tx = ix + P_ - kx;
                  if (tx < 0 || tx % S_ || tx / S_ >= Wo_) continue;
                  float* __restrict a = acc.data() + size_t(ty / S_ * Wo_ + tx / S_) * O;
                  const float* __restrict w = Wt_.data() + size_t((c * K_ + ky) * K_ + kx) * O;
#pragma omp simd
                  for (int o = 0; o < O; ++o) a[o] += w[o];
                  ++taps;
                }
              }
            }
      }
      for (int o = 0; o < O; ++o)  // channels-last -> [O, Ho, Wo]
        for (int p = 0; p < Ho_ * Wo_; ++p) yn[int64_t(o) * Ho_ * Wo_ + p] = acc[size_t(p) * O + o];
      ops += double(taps) * O;
    }
  }
  return ops;
}

}  // namespace spikeforge
