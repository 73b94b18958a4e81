// spikeforge plot: the receptive fields of a plasticity-trained model (the
// input weights of each first-layer neuron, cli/plasticity_model.h) as a PNG
// grid, the picture a user of these rules looks at.
//
// Layout: fields in rows of `columns` (default ceil(sqrt(count))), neuron
// order, each field height x width pixels magnified `scale` times, 1-pixel
// grey gaps. Colours: fields with min >= 0 use the 'hot_r' map on
// (w - min) / (max - min) (white = 0, black = max, as Diehl & Cook draw
// them); signed fields (min < 0) a blue-white-red map, white at 0.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "cli/plasticity_model.h"
#include "core/error.h"
#include "io/png_image.h"

namespace spikeforge {
namespace {

uint8_t byte(float v) { return uint8_t(std::lround(255.f * std::min(1.f, std::max(0.f, v)))); }

// hot_r: u in [0, 1] -> white (0) .. yellow .. red .. black (1)
void hot_r(float u, uint8_t* p) {
  const float h = 1.f - u;
  p[0] = byte(3.f * h), p[1] = byte(3.f * h - 1.f), p[2] = byte(3.f * h - 2.f);
}

// s in [-1, 1] -> blue (-1) .. white (0) .. red (1)
void blue_white_red(float s, uint8_t* p) {
  const float a = std::min(1.f, std::fabs(s));
  if (s >= 0)
    p[0] = 255, p[1] = byte(1.f - a), p[2] = byte(1.f - a);
  else
    p[0] = byte(1.f - a), p[1] = byte(1.f - a), p[2] = 255;
}

}  // namespace

int run_plot(const PlotOptions& o) {
  if (o.scale < 1 || o.scale > 64) throw ConfigError("plot: --scale = " + std::to_string(o.scale) + ", expected 1..64");
  if (o.columns < 0) throw ConfigError("plot: --columns = " + std::to_string(o.columns) + ", expected >= 1");
  ReceptiveFields f = read_receptive_fields(o.checkpoint);
  const int n = o.max_fields > 0 ? std::min(o.max_fields, f.count) : f.count;
  const int cols = o.columns > 0 ? std::min(o.columns, n) : int(std::ceil(std::sqrt(double(n))));
  const int rows = (n + cols - 1) / cols, s = o.scale;
  const int cw = f.width * s + 1, ch = f.height * s + 1;  // cell with its gap
  RgbImage img;
  img.width = cols * cw + 1, img.height = rows * ch + 1;
  img.rgb.assign(size_t(img.width) * img.height * 3, 128);  // grey gaps
  const bool signed_map = f.min < 0;
  const float span = f.max > f.min ? f.max - f.min : 1.f;
  const float amax =
      std::max(std::fabs(f.min), std::fabs(f.max)) > 0 ? std::max(std::fabs(f.min), std::fabs(f.max)) : 1.f;
  for (int k = 0; k < n; ++k) {
    const int x0 = 1 + (k % cols) * cw, y0 = 1 + (k / cols) * ch;
    const float* field = f.values.data() + size_t(k) * f.height * f.width;
    for (int y = 0; y < f.height * s; ++y)
      for (int x = 0; x < f.width * s; ++x) {
        const float v = field[size_t(y / s) * f.width + x / s];
        uint8_t* p = img.rgb.data() + (size_t(y0 + y) * img.width + x0 + x) * 3;
        if (signed_map)
          blue_white_red(v / amax, p);
        else
          hot_r((v - f.min) / span, p);
      }
  }
  write_png(o.out, img);
  std::printf("plot: %d receptive fields of %d x %d (%d x %d grid, %s map, range [%g, %g]) -> %s (%d x %d px)\n", n,
              f.height, f.width, rows, cols, signed_map ? "blue-white-red" : "hot_r", f.min, f.max, o.out.c_str(),
              img.width, img.height);
  return 0;
}

}  // namespace spikeforge
