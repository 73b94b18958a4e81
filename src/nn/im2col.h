// im2col / col2im for one image, so a convolution becomes one sgemm.
//   col[(c*K + ky)*K + kx, oy*Wo + ox] = x[c, oy*S - P + ky, ox*S - P + kx]  (0 outside)
// col2im is its adjoint: it scatters-adds col back into x (x overwritten first).
// ld is the row stride of col (>= Ho*Wo), so several images' columns can sit
// side by side in one matrix [C*K*K, n*Ho*Wo] and share one sgemm.
// Two ways, chosen by the geometry (make_tap_table):
//  - stride 1 with "same" width (3x3 pad 1 ...) on images of more than 16
//    pixels: each col row is the input plane shifted, one contiguous copy;
//  - otherwise a table of the input pixel each tap reads per output pixel:
//    a gather (im2col) and a scatter-add (col2im), branch-light; 2x faster
//    than per-row loops on 4x4 images and stride 2 (ResNet stages, Zen 4).
// Both add each x element's terms in tap order: the same bits either way.
#pragma once
#include <cstdint>
#include <vector>

namespace spikeforge {

struct ConvGeom {
  int C, H, W;  // input
  int K, S, P;  // kernel, stride, padding
  int Ho, Wo;   // output spatial size
  int col_rows() const { return C * K * K; }
  int col_cols() const { return Ho * Wo; }
};

// src[(ky*K + kx)*Ho*Wo + p] = iy*W + ix that tap (ky, kx) reads for output
// pixel p, or -1 (padding); empty when the shifted-plane copy serves g.
struct TapTable {
  std::vector<int32_t> src;
};
TapTable make_tap_table(const ConvGeom& g);

void im2col(const ConvGeom& g, const TapTable& t, const float* x, float* col, int64_t ld);
// col is scratch: col2im may overwrite its padding entries.
void col2im(const ConvGeom& g, const TapTable& t, float* col, int64_t ld, float* x);

}  // namespace spikeforge
