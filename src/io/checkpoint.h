// spikeforge checkpoint container, version 1. Little-endian.
//
//   offset  size  field
//   0       8     magic "SPKFCKPT"
//   8       4     format version (uint32) = 1
//   12      4     section count S (uint32)
//   then S times:
//           4     name length L (uint32, 1..255)
//           L     name (ASCII)
//           8     payload length P (uint64)
//           P     payload bytes
//   end-4   4     CRC-32 (zlib) of every byte before it
//
// The container knows nothing of networks: the CLI stores "config" (resolved
// config, JSON text), "meta" (JSON: epoch, ...), "params" and "optimizer"
// (float32 arrays). Reading checks magic, version, bounds and checksum before
// returning anything; writing goes through write_file_atomic.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace spikeforge {

struct Checkpoint {
  std::map<std::string, std::string> sections;  // name -> raw bytes

  void put_text(const std::string& name, const std::string& text) { sections[name] = text; }
  void put_floats(const std::string& name, const std::vector<float>& v);
  // Throws InputError naming `origin` and the section when absent or malformed.
  const std::string& text(const std::string& name, const std::string& origin) const;
  std::vector<float> floats(const std::string& name, const std::string& origin) const;
};

constexpr uint32_t kCheckpointVersion = 1;

std::string encode_checkpoint(const Checkpoint& ck);
Checkpoint decode_checkpoint(const std::string& bytes, const std::string& origin);
void write_checkpoint(const std::string& path, const Checkpoint& ck);
Checkpoint read_checkpoint(const std::string& path);

}  // namespace spikeforge
