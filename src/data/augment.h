// Training-time image augmentation, one image at a time, each draw from the
// caller's seeded generator (so a run is reproducible and resumable):
//
//   shift s:  dx, dy ~ U{-s .. s} independently; out[c, y, x] = in[c, y - dy, x - dx],
//             0 where that falls outside the image: the random crop of a
//             zero-padded image (pad s, crop H x W) that ResNet recipes use
//   flip:     with probability 1/2, out[c, y, x] = out[c, y, W - 1 - x]
//
// Only training images are augmented; the test split never is.
#pragma once
#include <cstdint>

#include "core/rng.h"

namespace spikeforge {

struct AugmentParams {
  int shift = 0;      // largest shift in pixels (0: none)
  bool flip = false;  // random horizontal flips
  bool active() const { return shift > 0 || flip; }
};

// in, out: [C, H, W], distinct buffers.
void augment_image(const AugmentParams& p, const float* in, int C, int H, int W, Rng& rng, float* out);
// x: [B, C, H, W] in place; scratch: C H W floats.
void augment_batch(const AugmentParams& p, float* x, int B, int C, int H, int W, Rng& rng, float* scratch);

}  // namespace spikeforge
