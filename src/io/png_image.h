// PNG output through libpng (Debian's libpng-dev): 8-bit RGB, no interlace,
// default compression. The image is encoded in memory and written with
// write_file_atomic (io/atomic_file.h), so a failed write leaves nothing.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spikeforge {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // [height, width, 3]
};

// The PNG file's bytes (InternalError if libpng fails on a valid image).
std::string encode_png(const RgbImage& img);
// InputError naming the path when it cannot be written.
void write_png(const std::string& path, const RgbImage& img);

}  // namespace spikeforge
