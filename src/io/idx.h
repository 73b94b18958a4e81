// IDX reader (the MNIST family's format), gzip-compressed or plain, via zlib.
//
// File layout (all integers big-endian):
//   bytes 0-1  zero
//   byte  2    element type: 0x08 = unsigned byte (the only one we accept)
//   byte  3    number of dimensions D (images: 3, labels: 1)
//   4*D bytes  size of each dimension (uint32)
//   then       prod(sizes) elements, row-major
// So images start with the magic 0x00000803 and labels with 0x00000801.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spikeforge {

struct IdxImages {
  int64_t count = 0;
  int rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // [count, rows, cols]
};

// Throw InputError naming the file when it is missing, truncated, has the wrong
// magic number, or has absurd sizes.
IdxImages read_idx_images(const std::string& path);
std::vector<uint8_t> read_idx_labels(const std::string& path);

}  // namespace spikeforge
