#include "nn/im2col.h"

#include <cstring>

namespace spikeforge {

void im2col(const ConvGeom& g, const float* x, float* col) {
  const int HWo = g.Ho * g.Wo;
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.K; ++ky)
      for (int kx = 0; kx < g.K; ++kx) {
        float* row = col + ((c * g.K + ky) * g.K + kx) * HWo;
        for (int oy = 0; oy < g.Ho; ++oy) {
          const int iy = oy * g.S - g.P + ky;
          float* dst = row + oy * g.Wo;
          if (iy < 0 || iy >= g.H) {
            std::memset(dst, 0, sizeof(float) * g.Wo);
            continue;
          }
          const float* src = x + (c * g.H + iy) * g.W;
          for (int ox = 0; ox < g.Wo; ++ox) {
            const int ix = ox * g.S - g.P + kx;
            dst[ox] = (ix >= 0 && ix < g.W) ? src[ix] : 0.f;
          }
        }
      }
}

void col2im(const ConvGeom& g, const float* col, float* x) {
  const int HWo = g.Ho * g.Wo;
  std::memset(x, 0, sizeof(float) * g.C * g.H * g.W);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.K; ++ky)
      for (int kx = 0; kx < g.K; ++kx) {
        const float* row = col + ((c * g.K + ky) * g.K + kx) * HWo;
        for (int oy = 0; oy < g.Ho; ++oy) {
          const int iy = oy * g.S - g.P + ky;
          if (iy < 0 || iy >= g.H) continue;
          float* dst = x + (c * g.H + iy) * g.W;
          for (int ox = 0; ox < g.Wo; ++ox) {
            const int ix = ox * g.S - g.P + kx;
            if (ix >= 0 && ix < g.W) dst[ix] += row[oy * g.Wo + ox];
          }
        }
      }
}

}  // namespace spikeforge
