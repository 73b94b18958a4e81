#include "nn/spike_conv.h"

#include <cstring>

#include "core/simd16.h"

namespace spikeforge {

int64_t pack_channel_masks(const ConvGeom& g, int L, const float* x, uint64_t* m) {
  const int HW = g.H * g.W, Wc = channel_mask_words(g.C);
  std::memset(m, 0, sizeof(uint64_t) * HW * L * Wc);
  int64_t count = 0;
  for (int c = 0; c < g.C; ++c) {
    const float* xc = x + int64_t(c) * HW;
    const int bit = c % 64;
    for (int l = 0; l < L; ++l) {
      uint64_t* mc = m + l * Wc + c / 64;
#pragma omp simd reduction(+ : count)
      for (int i = 0; i < HW; ++i) {
        const uint64_t on = (uint64_t(xc[i]) >> l) & 1;
        mc[int64_t(i) * L * Wc] |= on << bit;
        count += int64_t(on);
      }
    }
  }
  return count;
}

namespace {

// Calls f(r, 2^l) for the Wt row r(c, ky, kx) of every set bit (plane l) of
// output pixel (oy, ox)'s input taps, channels in increasing order within
// each tap and plane.
template <class F>
inline void for_each_spiking_tap(const ConvGeom& g, int L, const uint64_t* m, int oy, int ox, F&& f) {
  const int Wc = channel_mask_words(g.C), KK = g.K * g.K;
  for (int ky = 0; ky < g.K; ++ky) {
    const int iy = oy * g.S - g.P + ky;
    if (iy < 0 || iy >= g.H) continue;
    for (int kx = 0; kx < g.K; ++kx) {
      const int ix = ox * g.S - g.P + kx;
      if (ix < 0 || ix >= g.W) continue;
      const uint64_t* w = m + (int64_t(iy) * g.W + ix) * L * Wc;
      const int tap = ky * g.K + kx;
      for (int l = 0; l < L; ++l)
        for (int k = 0; k < Wc; ++k)
          for (uint64_t b = w[l * Wc + k]; b; b &= b - 1) f((k * 64 + __builtin_ctzll(b)) * KK + tap, float(1 << l));
    }
  }
}

// yT[p, o0 .. o0 + 16 NV) of one pixel, accumulated in NV registers.
template <int NV>
inline void forward_block(const ConvGeom& g, int L, int O, int o0, const uint64_t* m, const float* wt, const float* b,
                          int oy, int ox, float* y) {
  V16 a[NV] = {};
  if (b)
    for (int v = 0; v < NV; ++v) a[v] = load16(b + o0 + 16 * v);
  for_each_spiking_tap(g, L, m, oy, ox, [&](int r, float s) {
    const float* w = wt + int64_t(r) * O + o0;
    for (int v = 0; v < NV; ++v) a[v] += s * load16(w + 16 * v);
  });
  for (int v = 0; v < NV; ++v) store16(y + o0 + 16 * v, a[v]);
}

// dwt[r, o0 .. o0 + 16 NV) += dy[o0 ..) for every spiking tap r of one pixel.
template <int NV>
inline void weight_grad_block(const ConvGeom& g, int L, int O, int o0, const uint64_t* m, const float* dy, int oy,
                              int ox, float* dwt) {
  V16 d[NV];
  for (int v = 0; v < NV; ++v) d[v] = load16(dy + o0 + 16 * v);
  for_each_spiking_tap(g, L, m, oy, ox, [&](int r, float s) {
    float* w = dwt + int64_t(r) * O + o0;
    for (int v = 0; v < NV; ++v) store16(w + 16 * v, load16(w + 16 * v) + s * d[v]);
  });
}

}  // namespace

// O in blocks of 64 (four registers), then 16, then one by one.
void spike_conv_forward(const ConvGeom& g, int L, int O, const uint64_t* m, const float* wt, const float* b,
                        float* yT) {
  for (int oy = 0; oy < g.Ho; ++oy)
    for (int ox = 0; ox < g.Wo; ++ox) {
      float* y = yT + (int64_t(oy) * g.Wo + ox) * O;
      int o0 = 0;
      for (; o0 + 64 <= O; o0 += 64) forward_block<4>(g, L, O, o0, m, wt, b, oy, ox, y);
      for (; o0 + 16 <= O; o0 += 16) forward_block<1>(g, L, O, o0, m, wt, b, oy, ox, y);
      for (; o0 < O; ++o0) {
        float acc = b ? b[o0] : 0.f;
        for_each_spiking_tap(g, L, m, oy, ox, [&](int r, float s) { acc += s * wt[int64_t(r) * O + o0]; });
        y[o0] = acc;
      }
    }
}

void spike_conv_weight_grad(const ConvGeom& g, int L, int O, const uint64_t* m, const float* dyT, float* dwt) {
  for (int oy = 0; oy < g.Ho; ++oy)
    for (int ox = 0; ox < g.Wo; ++ox) {
      const float* dy = dyT + (int64_t(oy) * g.Wo + ox) * O;
      int o0 = 0;
      for (; o0 + 64 <= O; o0 += 64) weight_grad_block<4>(g, L, O, o0, m, dy, oy, ox, dwt);
      for (; o0 + 16 <= O; o0 += 16) weight_grad_block<1>(g, L, O, o0, m, dy, oy, ox, dwt);
      for (; o0 < O; ++o0) {
        const float d = dy[o0];
        for_each_spiking_tap(g, L, m, oy, ox, [&](int r, float s) { dwt[int64_t(r) * O + o0] += s * d; });
      }
    }
}

}  // namespace spikeforge
