// Writes a whole file or nothing: the bytes go to "<path>.tmp.<pid>", are
// flushed, and the temporary is renamed over <path>. A crash or error leaves
// the previous file (or none) in place, never a half-written one.
#pragma once
#include <string>
#include <string_view>

namespace spikeforge {

void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace spikeforge
