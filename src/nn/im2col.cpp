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

void im2col(const ConvGeom& g, const float* x, float* col, int64_t ld) {
  if (is_shifted_plane(g)) return im2col_shifted(g, x, col, ld);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.K; ++ky)
      for (int kx = 0; kx < g.K; ++kx) {
        float* row = col + ((c * g.K + ky) * g.K + kx) * ld;
        int lo, hi;
        valid_cols(g, kx, lo, hi);
        for (int oy = 0; oy < g.Ho; ++oy) {
          const int iy = oy * g.S - g.P + ky;
          float* dst = row + oy * g.Wo;
          if (iy < 0 || iy >= g.H) {
            for (int ox = 0; ox < g.Wo; ++ox) dst[ox] = 0.f;
            continue;
          }
          const float* src = x + (c * g.H + iy) * g.W + (lo * g.S - g.P + kx);  // x[c, iy, ix(lo)]
          // Rows are short (Wo ~ 14..32): plain loops, not memcpy/fill calls,
          // which cost more than the copy itself here.
          for (int ox = 0; ox < lo; ++ox) dst[ox] = 0.f;
          if (g.S == 1)
            for (int ox = lo; ox < hi; ++ox) dst[ox] = src[ox - lo];
          else
            for (int ox = lo; ox < hi; ++ox) dst[ox] = src[(ox - lo) * g.S];
          for (int ox = hi; ox < g.Wo; ++ox) dst[ox] = 0.f;
        }
      }
}

void col2im(const ConvGeom& g, float* col, int64_t ld, float* x) {
  if (is_shifted_plane(g)) return col2im_shifted(g, col, ld, x);
  std::memset(x, 0, sizeof(float) * g.C * g.H * g.W);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.K; ++ky)
      for (int kx = 0; kx < g.K; ++kx) {
        const float* row = col + ((c * g.K + ky) * g.K + kx) * ld;
        int lo, hi;
        valid_cols(g, kx, lo, hi);
        for (int oy = 0; oy < g.Ho; ++oy) {
          const int iy = oy * g.S - g.P + ky;
          if (iy < 0 || iy >= g.H) continue;
          float* __restrict dst = x + (c * g.H + iy) * g.W + (lo * g.S - g.P + kx);  // x[c, iy, ix(lo)]
          const float* __restrict src = row + oy * g.Wo + lo;
          const int n = hi - lo;
          if (g.S == 1) {
#pragma omp simd
            for (int j = 0; j < n; ++j) dst[j] += src[j];
          } else {
            for (int j = 0; j < n; ++j) dst[j * g.S] += src[j];
          }
        }
      }
}

}  // namespace spikeforge
