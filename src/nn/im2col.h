// im2col / col2im for one image, so a convolution becomes one sgemm.
//   col[(c*K + ky)*K + kx, oy*Wo + ox] = x[c, oy*S - P + ky, ox*S - P + kx]  (0 outside)
// col2im is its adjoint: it scatters-adds col back into x (x overwritten first).
#pragma once

namespace spikeforge {

struct ConvGeom {
  int C, H, W;  // input
  int K, S, P;  // kernel, stride, padding
  int Ho, Wo;   // output spatial size
  int col_rows() const { return C * K * K; }
  int col_cols() const { return Ho * Wo; }
};

void im2col(const ConvGeom& g, const float* x, float* col);
void col2im(const ConvGeom& g, const float* col, float* x);

}  // namespace spikeforge
