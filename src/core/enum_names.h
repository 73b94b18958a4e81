// Names of enumerated config values, one table per enum: parsing a name and
// naming a value both read the same table, so they cannot drift apart.
#pragma once
#include <cstddef>
#include <string>

#include "core/error.h"

namespace spikeforge {

template <class E>
struct EnumName {
  const char* name;
  E value;
};

// The value named `s`, or ConfigError: `key = "s", expected one of a, b, c`.
template <class E, size_t N>
E parse_enum(const char* key, const std::string& s, const EnumName<E> (&table)[N]) {
  std::string list;
  for (const auto& e : table) {
    if (s == e.name) return e.value;
    list += (list.empty() ? "" : ", ") + std::string(e.name);
  }
  throw ConfigError(std::string(key) + " = \"" + s + "\", expected one of " + list);
}

template <class E, size_t N>
const char* enum_name(E v, const EnumName<E> (&table)[N]) {
  for (const auto& e : table)
    if (e.value == v) return e.name;
  return "?";
}

}  // namespace spikeforge
