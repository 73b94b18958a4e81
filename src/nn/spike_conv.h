// Convolution of spike images through their spikes only: the event form of
// nn/conv2d.h's im2col + sgemm, for input that holds only 0 and 1, or small
// counts (a spike-add join's output, 0, 1, 2, ...) written as bit planes.
// An image x [C, H, W] of values below 2^L (L planes; 1 for spikes) is packed
// as L channel masks per pixel, plane l holding bit l of each value:
//   m[((iy*W + ix)*L + l)*Wc + c/64] bit c%64 = bit l of x[c, iy, ix]   Wc = ceil(C / 64)
// A set bit of plane l stands for 2^l spikes, so the sums below weigh its row
// by 2^l (exact: a power of two; for spikes the weight is 1 and the sums are
// plain adds).
// With Wt = W^T [C*K*K, O] (row r(c, ky, kx) = (c*K + ky)*K + kx, im2col's
// row order), for each output pixel p = (oy, ox) and its taps
// iy = oy*S - P + ky, ix = ox*S - P + kx (taps outside the image are the zero
// padding and skipped):
//   forward:         yT[p, :] = b + sum_{ky,kx} sum_l sum_{c in m_l(iy, ix)} 2^l Wt[r(c, ky, kx), :]
//   weight gradient: dWt[r(c, ky, kx), :] += 2^l dyT[p, :]  for the same (c, ky, kx, l)
// (set bits) * K*K * O adds instead of C*K*K * Ho*Wo * O multiply-adds. Outputs and
// output gradients are pixel-major ([Ho*Wo, O]): a pixel's O values are one
// run of vectors, kept in registers while its spikes are added.
#pragma once
#include <cstdint>

#include "nn/im2col.h"

namespace spikeforge {

inline int channel_mask_words(int C) { return (C + 63) / 64; }

// Bit planes that hold counts up to max_count: 1 for spikes, 2 for 0..3, ...
inline int count_planes(int max_count) { return max_count <= 1 ? 1 : 32 - __builtin_clz(unsigned(max_count)); }

// m [H*W, L, Wc] from x [C, H, W] of integers in [0, 2^L); returns the
// image's set-bit count (its spike count when L = 1).
int64_t pack_channel_masks(const ConvGeom& g, int L, const float* x, uint64_t* m);

// yT [Ho*Wo, O] = b + the taps' weighted set rows of wt [C*K*K, O]; b may be nullptr.
void spike_conv_forward(const ConvGeom& g, int L, int O, const uint64_t* m, const float* wt, const float* b, float* yT);

// dwt [C*K*K, O] += dyT [Ho*Wo, O] rows, weighted, added to every set tap's row.
void spike_conv_weight_grad(const ConvGeom& g, int L, int O, const uint64_t* m, const float* dyT, float* dwt);

}  // namespace spikeforge
