#include "nn/im2col.h"

#include <algorithm>
#include <cstring>

namespace spikeforge {

// Output columns ox whose input column ix = ox*S - P + kx lies in [0, W):
// [ox_lo, ox_hi). Everything outside is padding.
static inline void valid_cols(const ConvGeom& g, int kx, int& ox_lo, int& ox_hi) {
  const int a = g.P - kx, b = g.W + g.P - kx;               // ix >= 0 <=> ox S >= a; ix < W <=> ox S < b
  ox_lo = a > 0 ? std::min((a + g.S - 1) / g.S, g.Wo) : 0;  // ceil(a / S)
  ox_hi = b > 0 ? std::clamp((b + g.S - 1) / g.S, ox_lo, g.Wo) : ox_lo;
}

// Stride 1 with "same" output width (Wo == W, e.g. 3x3 pad 1): row (c, ky, kx)
// of col is the input plane shifted by (ky - P) * W + (kx - P), so it is one
// contiguous copy; the elements that wrapped across a row edge are padding.
static bool is_shifted_plane(const ConvGeom& g) { return g.S == 1 && g.Wo == g.W; }

// Output rows oy whose input row iy = oy*S - P + ky lies in [0, H).
static inline void valid_rows(const ConvGeom& g, int ky, int& oy_lo, int& oy_hi) {
  const int a = g.P - ky, b = g.H + g.P - ky;
  oy_lo = a > 0 ? std::min((a + g.S - 1) / g.S, g.Ho) : 0;
  oy_hi = b > 0 ? std::clamp((b + g.S - 1) / g.S, oy_lo, g.Ho) : oy_lo;
}

static void im2col_shifted(const ConvGeom& g, const float* x, float* col, int64_t ld) {
  const int W = g.W, HWo = g.Ho * g.Wo;
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.K; ++ky) {
      int ylo, yhi;
      valid_rows(g, ky, ylo, yhi);
      for (int kx = 0; kx < g.K; ++kx) {
        float* __restrict row = col + ((c * g.K + ky) * g.K + kx) * ld;
        int lo, hi;
        valid_cols(g, kx, lo, hi);
        const int64_t first = int64_t(ylo) * W + lo, last = yhi > ylo ? int64_t(yhi - 1) * W + hi : first;
        // src[i - first] = x[c, oy + ky - P, ox + kx - P] for i = oy W + ox
        const float* __restrict src = x + int64_t(c) * g.H * W + first + (ky - g.P) * W + (kx - g.P);
        for (int64_t i = 0; i < first; ++i) row[i] = 0.f;
        for (int64_t i = first; i < last; ++i) row[i] = src[i - first];
        for (int64_t i = last; i < HWo; ++i) row[i] = 0.f;
        for (int oy = ylo; oy < yhi; ++oy) {  // wrapped elements are padding
          for (int ox = 0; ox < lo; ++ox) row[oy * W + ox] = 0.f;
          for (int ox = hi; ox < W; ++ox) row[oy * W + ox] = 0.f;
        }
      }
    }
}

// Adjoint of im2col_shifted; the padding entries of col are zeroed first
// (col is scratch), so the contiguous add leaves them out.
static void col2im_shifted(const ConvGeom& g, float* col, int64_t ld, float* x) {
  const int W = g.W;
  std::memset(x, 0, sizeof(float) * g.C * g.H * g.W);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.K; ++ky) {
      int ylo, yhi;
      valid_rows(g, ky, ylo, yhi);
      for (int kx = 0; kx < g.K; ++kx) {
        float* __restrict row = col + ((c * g.K + ky) * g.K + kx) * ld;
        int lo, hi;
        valid_cols(g, kx, lo, hi);
        for (int oy = ylo; oy < yhi; ++oy) {
          for (int ox = 0; ox < lo; ++ox) row[oy * W + ox] = 0.f;
          for (int ox = hi; ox < W; ++ox) row[oy * W + ox] = 0.f;
        }
        const int64_t first = int64_t(ylo) * W + lo, last = yhi > ylo ? int64_t(yhi - 1) * W + hi : first;
        float* __restrict dst = x + int64_t(c) * g.H * W + first + (ky - g.P) * W + (kx - g.P);
        for (int64_t i = first; i < last; ++i) dst[i - first] += row[i];
      }
    }
}

// Images this small spend the shifted copy's time on its per-row padding.
constexpr int kMaxTablePixelsShifted = 16;

TapTable make_tap_table(const ConvGeom& g) {
  TapTable t;
  const int P = g.Ho * g.Wo;
  if (is_shifted_plane(g) && P > kMaxTablePixelsShifted) return t;
  t.src.assign(size_t(g.K) * g.K * P, -1);
  for (int ky = 0; ky < g.K; ++ky)
    for (int kx = 0; kx < g.K; ++kx)
      for (int oy = 0; oy < g.Ho; ++oy)
        for (int ox = 0; ox < g.Wo; ++ox) {
          const int iy = oy * g.S - g.P + ky, ix = ox * g.S - g.P + kx;
          if (iy >= 0 && iy < g.H && ix >= 0 && ix < g.W) t.src[(ky * g.K + kx) * P + oy * g.Wo + ox] = iy * g.W + ix;
        }
  return t;
}

// col[(c, tap), p] = x[c, src[tap, p]], 0 where src is -1.
static void im2col_table(const ConvGeom& g, const TapTable& t, const float* x, float* col, int64_t ld) {
  const int KK = g.K * g.K, P = g.Ho * g.Wo, HW = g.H * g.W;
  for (int c = 0; c < g.C; ++c) {
    const float* xc = x + int64_t(c) * HW;
    for (int tap = 0; tap < KK; ++tap) {
      float* __restrict row = col + (int64_t(c) * KK + tap) * ld;
      const int32_t* __restrict src = t.src.data() + tap * P;
#pragma omp simd
      for (int p = 0; p < P; ++p) row[p] = src[p] >= 0 ? xc[src[p]] : 0.f;
    }
  }
}

// x[c, src[tap, p]] += col[(c, tap), p], taps in order.
static void col2im_table(const ConvGeom& g, const TapTable& t, const float* col, int64_t ld, float* x) {
  const int KK = g.K * g.K, P = g.Ho * g.Wo, HW = g.H * g.W;
  std::memset(x, 0, sizeof(float) * g.C * HW);
  for (int c = 0; c < g.C; ++c) {
    float* __restrict xc = x + int64_t(c) * HW;
    for (int tap = 0; tap < KK; ++tap) {
      const float* __restrict row = col + (int64_t(c) * KK + tap) * ld;
      const int32_t* __restrict src = t.src.data() + tap * P;
      for (int p = 0; p < P; ++p)
        if (src[p] >= 0) xc[src[p]] += row[p];
    }
  }
}

void im2col(const ConvGeom& g, const TapTable& t, const float* x, float* col, int64_t ld) {
  if (t.src.empty()) return im2col_shifted(g, x, col, ld);
  im2col_table(g, t, x, col, ld);
}

void col2im(const ConvGeom& g, const TapTable& t, float* col, int64_t ld, float* x) {
  if (t.src.empty()) return col2im_shifted(g, col, ld, x);
  col2im_table(g, t, col, ld, x);
}

}  // namespace spikeforge
