// Training-image augmentation (data/augment.h) against its definition: every
// output is the input shifted by some (dx, dy) in [-s, s]^2 with zero fill,
// perhaps mirrored; every shift and both flips occur; the same seed gives the
// same images.
#include <gtest/gtest.h>

#include <set>
#include <tuple>
#include <vector>

#include "core/rng.h"
#include "data/augment.h"

using namespace spikeforge;

namespace {

// The definition, evaluated naively: out[c, y, x] = in[c, y - dy, sx - dx],
// sx = W - 1 - x when flipped, else x; 0 outside.
std::vector<float> shifted(const std::vector<float>& in, int C, int H, int W, int dx, int dy, bool flip) {
  std::vector<float> out(in.size(), 0.f);
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const int sx = (flip ? W - 1 - x : x) - dx, sy = y - dy;
        if (sx >= 0 && sx < W && sy >= 0 && sy < H)
          out[(size_t(c) * H + y) * W + x] = in[(size_t(c) * H + sy) * W + sx];
      }
  return out;
}

}  // namespace

TEST(Augment, EveryImageIsAShiftOfTheInputAndAllShiftsOccur) {
  const int C = 2, H = 5, W = 6, s = 2;
  std::vector<float> in(size_t(C) * H * W), out(in.size());
  for (size_t i = 0; i < in.size(); ++i) in[i] = float(i + 1);  // all distinct and nonzero
  Rng rng(11);
  std::set<std::tuple<int, int, bool>> seen;
  for (int k = 0; k < 2000; ++k) {
    augment_image(AugmentParams{s, true}, in.data(), C, H, W, rng, out.data());
    int matches = 0;
    for (int dy = -s; dy <= s; ++dy)
      for (int dx = -s; dx <= s; ++dx)
        for (bool flip : {false, true})
          if (shifted(in, C, H, W, dx, dy, flip) == out) ++matches, seen.insert({dx, dy, flip});
    ASSERT_EQ(matches, 1) << "draw " << k << " is not exactly one shift of the input";
  }
  EXPECT_EQ(seen.size(), size_t(2 * (2 * s + 1) * (2 * s + 1)));  // 25 shifts x 2 flips
}

TEST(Augment, OffLeavesTheImageAndTheSameSeedRepeats) {
  const int C = 1, H = 4, W = 4, B = 3;
  std::vector<float> x(size_t(B) * H * W), scratch(size_t(H) * W);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7);
  const std::vector<float> orig = x;
  Rng r0(1);
  augment_batch(AugmentParams{0, false}, x.data(), B, C, H, W, r0, scratch.data());
  EXPECT_EQ(x, orig);
  std::vector<float> a = orig, b = orig;
  Rng r1(9), r2(9);
  augment_batch(AugmentParams{1, true}, a.data(), B, C, H, W, r1, scratch.data());
  augment_batch(AugmentParams{1, true}, b.data(), B, C, H, W, r2, scratch.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, orig);  // 3 images: all 9 x 2 draws being the identity has probability 1/18^3
}
