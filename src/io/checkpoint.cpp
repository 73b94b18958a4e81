#include "io/checkpoint.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "io/atomic_file.h"

namespace spikeforge {
namespace {

constexpr char kMagic[8] = {'S', 'P', 'K', 'F', 'C', 'K', 'P', 'T'};

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Bounds-checked cursor over the bytes being decoded.
struct Reader {
  const std::string& bytes;
  const std::string& origin;
  size_t pos = 0;
  template <class T>
  T get(const char* what) {
    T v;
    need(sizeof v, what);
    std::memcpy(&v, bytes.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  void need(size_t n, const char* what) const {
    if (n > bytes.size() - 4 - pos) throw InputError(origin + ": corrupt checkpoint: truncated " + what);
  }
};

uint32_t crc_of(const std::string& bytes, size_t n) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n)));
}

}  // namespace

void Checkpoint::put_floats(const std::string& name, const std::vector<float>& v) {
  sections[name].assign(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

const std::string& Checkpoint::text(const std::string& name, const std::string& origin) const {
  auto it = sections.find(name);
  if (it == sections.end()) throw InputError(origin + ": checkpoint has no '" + name + "' section");
  return it->second;
}

std::vector<float> Checkpoint::floats(const std::string& name, const std::string& origin) const {
  const std::string& raw = text(name, origin);
  if (raw.size() % sizeof(float))
    throw InputError(origin + ": checkpoint section '" + name + "' is not a float32 array");
  std::vector<float> v(raw.size() / sizeof(float));
  std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

std::string encode_checkpoint(const Checkpoint& ck) {
  std::string out(kMagic, sizeof kMagic);
  put<uint32_t>(out, kCheckpointVersion);
  put<uint32_t>(out, static_cast<uint32_t>(ck.sections.size()));
  for (const auto& [name, payload] : ck.sections) {
    put<uint32_t>(out, static_cast<uint32_t>(name.size()));
    out += name;
    put<uint64_t>(out, payload.size());
    out += payload;
  }
  put<uint32_t>(out, crc_of(out, out.size()));
  return out;
}

Checkpoint decode_checkpoint(const std::string& bytes, const std::string& origin) {
  if (bytes.size() < sizeof kMagic + 12 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw InputError(origin + ": not a spikeforge checkpoint (expected magic \"SPKFCKPT\")");
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  if (stored != crc_of(bytes, bytes.size() - 4)) throw InputError(origin + ": corrupt checkpoint: checksum mismatch");
  Reader r{bytes, origin, sizeof kMagic};
  uint32_t version = r.get<uint32_t>("version");
  if (version != kCheckpointVersion)
    throw InputError(origin + ": checkpoint format version " + std::to_string(version) + ", expected " +
                     std::to_string(kCheckpointVersion));
  uint32_t count = r.get<uint32_t>("section count");
  Checkpoint ck;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = r.get<uint32_t>("section name length");
    if (len == 0 || len > 255) throw InputError(origin + ": corrupt checkpoint: bad section name length");
    r.need(len, "section name");
    std::string name = bytes.substr(r.pos, len);
    r.pos += len;
    uint64_t size = r.get<uint64_t>("section size");
    r.need(size, "section payload");
    ck.sections[name] = bytes.substr(r.pos, size);
    r.pos += size;
  }
  if (r.pos != bytes.size() - 4) throw InputError(origin + ": corrupt checkpoint: trailing bytes");
  return ck;
}

void write_checkpoint(const std::string& path, const Checkpoint& ck) { write_file_atomic(path, encode_checkpoint(ck)); }

Checkpoint read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": checkpoint file not found or unreadable");
  std::stringstream ss;
  ss << in.rdbuf();
  return decode_checkpoint(ss.str(), path);
}

}  // namespace spikeforge
