// im2col / col2im for one image, so a convolution becomes one sgemm.
//   col[(c*K + ky)*K + kx, oy*Wo + ox] = x[c, oy*S - P + ky, ox*S - P + kx]  (0 outside)
// col2im is its adjoint: it scatters-adds col back into x (x overwritten first).
// ld is the row stride of col (>= Ho*Wo), so several images' columns can sit
// side by side in one matrix [C*K*K, n*Ho*Wo] and share one sgemm.
#pragma once
#include <cstdint>

namespace spikeforge {

struct ConvGeom {
  int C, H, W;  // input
  int K, S, P;  // kernel, stride, padding
  int Ho, Wo;   // output spatial size
  int col_rows() const { return C * K * K; }
  int col_cols() const { return Ho * Wo; }
};

void im2col(const ConvGeom& g, const float* x, float* col, int64_t ld);
// col is scratch: col2im may overwrite its padding entries.
void col2im(const ConvGeom& g, float* col, int64_t ld, float* x);

}  // namespace spikeforge
