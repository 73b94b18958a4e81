#include "data/augment.h"

#include <algorithm>
#include <cstring>

namespace spikeforge {

void augment_image(const AugmentParams& p, const float* in, int C, int H, int W, Rng& rng, float* out) {
  const int dx = p.shift > 0 ? int(rng.below(2 * p.shift + 1)) - p.shift : 0;
  const int dy = p.shift > 0 ? int(rng.below(2 * p.shift + 1)) - p.shift : 0;
  const bool flip = p.flip && rng.below(2) == 1;
  // out[y, x] = in[y - dy, x - dx] for x in [x0, x1) (the columns whose source is inside)
  const int x0 = std::max(0, dx), x1 = std::min(W, W + dx);
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y) {
      float* o = out + (int64_t(c) * H + y) * W;
      const int sy = y - dy;
      std::fill(o, o + W, 0.f);
      if (sy < 0 || sy >= H || x0 >= x1) continue;
      std::memcpy(o + x0, in + (int64_t(c) * H + sy) * W + (x0 - dx), sizeof(float) * size_t(x1 - x0));
      if (flip) std::reverse(o, o + W);
    }
}

void augment_batch(const AugmentParams& p, float* x, int B, int C, int H, int W, Rng& rng, float* scratch) {
  const int64_t F = int64_t(C) * H * W;
  for (int b = 0; b < B; ++b) {
    augment_image(p, x + b * F, C, H, W, rng, scratch);
    std::copy(scratch, scratch + F, x + b * F);
  }
}

}  // namespace spikeforge
