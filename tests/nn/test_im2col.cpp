// im2col against its definition, col2im against its adjoint, for the
// geometries of both ways (shifted planes, tap table; nn/im2col.h), and
// Conv2d refusing geometries that do not fit.
#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/im2col.h"

using namespace spikeforge;

namespace {

ConvGeom geom(int C, int H, int W, int K, int S, int P) {
  return {C, H, W, K, S, P, (H + 2 * P - K) / S + 1, (W + 2 * P - K) / S + 1};
}

// col[(c*K + ky)*K + kx, oy*Wo + ox] = x[c, oy*S - P + ky, ox*S - P + kx], 0 outside.
float col_entry(const ConvGeom& g, const std::vector<float>& x, int r, int p) {
  const int c = r / (g.K * g.K), ky = r / g.K % g.K, kx = r % g.K;
  const int iy = p / g.Wo * g.S - g.P + ky, ix = p % g.Wo * g.S - g.P + kx;
  if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) return 0.f;
  return x[(size_t(c) * g.H + iy) * g.W + ix];
}

struct Case {
  ConvGeom g;
  bool table;  // which way make_tap_table picks
};

class Im2colGeometry : public testing::TestWithParam<Case> {};

// im2col equals the definition entry by entry, with a row stride wider than
// Ho*Wo (two images side by side); col2im is its adjoint:
// <im2col(x), c> = <x, col2im(c)>, in double to 1e-5 relative.
TEST_P(Im2colGeometry, MatchesDefinitionAndAdjoint) {
  const ConvGeom g = GetParam().g;
  const TapTable t = make_tap_table(g);
  EXPECT_EQ(t.src.empty(), !GetParam().table);
  const int R = g.col_rows(), P = g.col_cols(), n = g.C * g.H * g.W;
  const int64_t ld = 2 * int64_t(P);
  Rng rng(11);
  std::vector<float> x(n), col(size_t(R) * ld, 7.f), c(size_t(R) * ld), dx(n);
  for (auto& v : x) v = rng.uniform(-1.f, 1.f);
  for (auto& v : c) v = rng.uniform(-1.f, 1.f);
  im2col(g, t, x.data(), col.data() + P, ld);  // the second image's columns
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p) {
      ASSERT_EQ(col[size_t(r) * ld + P + p], col_entry(g, x, r, p)) << "row " << r << " pixel " << p;
      ASSERT_EQ(col[size_t(r) * ld + p], 7.f) << "the first image's columns were written";
    }
  std::vector<float> c_used = c;
  col2im(g, t, c.data() + P, ld, dx.data());
  double lhs = 0, rhs = 0, scale = 0;
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p) {
      const double a = double(col[size_t(r) * ld + P + p]) * c_used[size_t(r) * ld + P + p];
      lhs += a, scale += std::abs(a);
    }
  for (int i = 0; i < n; ++i) rhs += double(x[i]) * dx[i];
  EXPECT_NEAR(lhs, rhs, 1e-5 * scale);
}

INSTANTIATE_TEST_SUITE_P(Geometries, Im2colGeometry,
                         testing::Values(Case{geom(3, 14, 14, 3, 1, 1), false},   // shifted planes
                                         Case{geom(2, 28, 28, 5, 1, 2), false},   // shifted, kernel 5
                                         Case{geom(5, 4, 4, 3, 1, 1), true},      // 16 pixels: table
                                         Case{geom(4, 7, 7, 3, 2, 1), true},      // stride 2
                                         Case{geom(3, 9, 8, 3, 2, 0), true},      // no padding, odd sizes
                                         Case{geom(6, 14, 14, 1, 2, 0), true},    // 1x1 projection
                                         Case{geom(2, 10, 10, 3, 1, 0), true}));  // stride 1, "valid"

}  // namespace

// A geometry that does not fit is refused with a ShapeError naming it, before
// any arithmetic on it (stride 0 used to divide by zero).
TEST(Conv2dGeometry, ImpossibleGeometryIsAShapeError) {
  const FeatShape in{1, 4, 4};
  EXPECT_THROW(Conv2d(in, 2, 3, /*stride=*/0, 1), ShapeError);
  EXPECT_THROW(Conv2d(in, 2, 0, 1, 1), ShapeError);
  EXPECT_THROW(Conv2d(in, 2, 7, 1, 0), ShapeError);  // kernel larger than the image
  try {
    Conv2d(in, 2, 3, 0, 1);
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("stride 0"), std::string::npos) << e.what();
  }
}
