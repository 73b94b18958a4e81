#include "io/idx.h"

#include <zlib.h>

#include <filesystem>
#include <memory>

#include "core/error.h"

namespace spikeforge {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

GzFile open_gz(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError(path + ": file not found, expected an IDX file (.gz or plain)");
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) throw InputError(path + ": cannot open for reading");
  return f;
}

// Reads exactly n bytes or throws naming what was being read.
void read_exact(gzFile_s* f, const std::string& path, void* dst, size_t n, const char* what) {
  size_t done = 0;
  while (done < n) {
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    int got = gzread(f, static_cast<char*>(dst) + done, chunk);
    if (got < 0) throw InputError(path + ": corrupt gzip stream while reading " + what);
    if (got == 0)
      throw InputError(path + ": truncated: " + what + " has " + std::to_string(done) + " of " + std::to_string(n) +
                       " bytes");
    done += static_cast<size_t>(got);
  }
}

uint32_t read_be32(gzFile_s* f, const std::string& path, const char* what) {
  unsigned char b[4];
  read_exact(f, path, b, 4, what);
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Reads the header, checks the magic, returns the dimension sizes.
std::vector<uint32_t> read_header(gzFile_s* f, const std::string& path, int want_dims) {
  uint32_t magic = read_be32(f, path, "the magic number");
  uint32_t want = 0x00000800u | static_cast<uint32_t>(want_dims);
  if (magic != want)
    throw InputError(path + ": magic number " + hex(magic) + ", expected " + hex(want) +
                     (want_dims == 3 ? " (IDX unsigned-byte images)" : " (IDX unsigned-byte labels)"));
  std::vector<uint32_t> dims(want_dims);
  for (auto& d : dims) d = read_be32(f, path, "the dimension sizes");
  uint64_t total = 1;
  for (uint32_t d : dims) {
    if (d == 0 || d > (1u << 28))
      throw InputError(path + ": dimension size " + std::to_string(d) + " is not plausible");
    total *= d;
  }
  if (total > (uint64_t(1) << 34)) throw InputError(path + ": " + std::to_string(total) + " elements is not plausible");
  return dims;
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  GzFile f = open_gz(path);
  auto dims = read_header(f.get(), path, 3);
  IdxImages im;
  im.count = dims[0];
  im.rows = static_cast<int>(dims[1]);
  im.cols = static_cast<int>(dims[2]);
  im.pixels.resize(static_cast<size_t>(im.count) * im.rows * im.cols);
  read_exact(f.get(), path, im.pixels.data(), im.pixels.size(), "the pixel data");
  return im;
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
  GzFile f = open_gz(path);
  auto dims = read_header(f.get(), path, 1);
  std::vector<uint8_t> labels(dims[0]);
  read_exact(f.get(), path, labels.data(), labels.size(), "the label data");
  return labels;
}

}  // namespace spikeforge
