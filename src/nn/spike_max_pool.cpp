#include "nn/spike_max_pool.h"

#include <algorithm>

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<SpikePoolMode> kModes[] = {{"msb_first", SpikePoolMode::MsbFirst},
                                                     {"count", SpikePoolMode::Count}};
SpikePoolMode parse_spike_pool_mode(const std::string& s) { return parse_enum("spike pool mode", s, kModes); }
const char* spike_pool_mode_name(SpikePoolMode m) { return enum_name(m, kModes); }

SpikeMaxPool::SpikeMaxPool(FeatShape in, int kernel, int stride, int pad, SpikePoolMode mode)
    : K_(kernel), S_(stride), P_(pad), mode_(mode) {
  in_ = in;
  if (kernel < 1 || stride < 1 || pad < 0 || 2 * pad > kernel || in.H + 2 * pad < kernel || in.W + 2 * pad < kernel)
    throw ShapeError("spike_maxpool: kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) +
                     ", pad " + std::to_string(pad) + " do not fit input " + in.str());
  out_ = {in.C, (in.H + 2 * pad - kernel) / stride + 1, (in.W + 2 * pad - kernel) / stride + 1};
}

void SpikeMaxPool::prepare(int Tin, int T, int B) {
  if (Tin != T)
    throw ShapeError("spike_maxpool: input has " + std::to_string(Tin) + " steps, expected T = " + std::to_string(T) +
                     " (spike trains)");
  Layer::prepare(Tin, T, B);
}

// Plane by plane, time outside the windows: each step reads one contiguous
// plane, and every window's state stays in a small per-thread array.
void SpikeMaxPool::forward(const float* in, float* out, bool) {
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W, K = K_, S = S_, P = P_, T = T_;
  const int64_t planes = int64_t(B_) * in_.C, in_step = planes * H * W, out_step = planes * Ho * Wo;
  const bool msb = mode_ == SpikePoolMode::MsbFirst;
#pragma omp parallel
  {
    std::vector<int> state(size_t(Ho) * Wo * K * K);  // per window: msb candidate flags, or spike counts
    std::vector<int> top(size_t(Ho) * Wo);            // count: M_{t-1} per window
#pragma omp for schedule(static)
    for (int64_t pl = 0; pl < planes; ++pl) {
      std::fill(state.begin(), state.end(), msb ? 1 : 0);
      std::fill(top.begin(), top.end(), 0);
      for (int t = 0; t < T; ++t) {
        const float* x = in + t * in_step + pl * H * W;
        float* yt = out + t * out_step + pl * Ho * Wo;
        for (int oy = 0; oy < Ho; ++oy)
          for (int ox = 0; ox < Wo; ++ox) {
            const int y0 = std::max(0, oy * S - P), y1 = std::min(H, oy * S - P + K);
            const int x0 = std::max(0, ox * S - P), x1 = std::min(W, ox * S - P + K);
            int* st = state.data() + size_t(oy * Wo + ox) * K * K;
            float y = 0.f;
            if (msb) {  // y_t = OR over candidates; candidates keep only those equal to y_t
              for (int iy = y0, w = 0; iy < y1; ++iy)
                for (int ix = x0; ix < x1; ++ix, ++w)
                  if (st[w] && x[iy * W + ix] > 0.f) y = 1.f;
              for (int iy = y0, w = 0; iy < y1; ++iy)
                for (int ix = x0; ix < x1; ++ix, ++w)
                  if (st[w] && (x[iy * W + ix] > 0.f) != (y > 0.f)) st[w] = 0;
            } else {  // spike when the largest count grows: the output count is M_t
              int m = 0;
              for (int iy = y0, w = 0; iy < y1; ++iy)
                for (int ix = x0; ix < x1; ++ix, ++w) {
                  st[w] += x[iy * W + ix] > 0.f;
                  m = std::max(m, st[w]);
                }
              int& tp = top[size_t(oy) * Wo + ox];
              y = m > tp ? 1.f : 0.f;
              tp = m;
            }
            yt[oy * Wo + ox] = y;
          }
      }
    }
  }
}

void SpikeMaxPool::backward(const float*, float*) {
  throw InternalError("spike_maxpool: converted networks are inference only (no backward)");
}

}  // namespace spikeforge
