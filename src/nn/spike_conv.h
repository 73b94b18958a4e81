// Convolution of spike images through their spikes only: the event form of
// nn/conv2d.h's im2col + sgemm, for input that holds only 0 and 1.
// An image x [C, H, W] is packed as one channel mask per pixel,
//   m[(iy*W + ix)*Wc + c/64] bit c%64 = x[c, iy, ix]        Wc = ceil(C / 64)
// With Wt = W^T [C*K*K, O] (row r(c, ky, kx) = (c*K + ky)*K + kx, im2col's
// row order), for each output pixel p = (oy, ox) and its taps
// iy = oy*S - P + ky, ix = ox*S - P + kx (taps outside the image are the zero
// padding and skipped):
//   forward:         yT[p, :] = b + sum_{ky,kx} sum_{c in m(iy, ix)} Wt[r(c, ky, kx), :]
//   weight gradient: dWt[r(c, ky, kx), :] += dyT[p, :]  for the same (c, ky, kx)
// nnz * K*K * O adds instead of C*K*K * Ho*Wo * O multiply-adds. Outputs and
// output gradients are pixel-major ([Ho*Wo, O]): a pixel's O values are one
// run of vectors, kept in registers while its spikes are added.
#pragma once
#include <cstdint>

#include "nn/im2col.h"

namespace spikeforge {

inline int channel_mask_words(int C) { return (C + 63) / 64; }

// m [H*W, Wc] from x [C, H, W]; returns the image's spike count.
int64_t pack_channel_masks(const ConvGeom& g, const float* x, uint64_t* m);

// yT [Ho*Wo, O] = b + the taps' spiking rows of wt [C*K*K, O]; b may be nullptr.
void spike_conv_forward(const ConvGeom& g, int O, const uint64_t* m, const float* wt, const float* b, float* yT);

// dwt [C*K*K, O] += dyT [Ho*Wo, O] rows, added to every spiking tap's row.
void spike_conv_weight_grad(const ConvGeom& g, int O, const uint64_t* m, const float* dyT, float* dwt);

}  // namespace spikeforge
