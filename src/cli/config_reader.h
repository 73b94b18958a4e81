// The reader every config table goes through (cli/config.h): it reads the
// keys of one table, records each resolved value (default filled in) into
// `out`, and rejects unknown keys, all as ConfigErrors that name the file,
// the key, the value and what was expected. Shared by the BPTT config
// (cli/config.cpp) and the local-plasticity tables (cli/plasticity_config.cpp).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/augment.h"

namespace spikeforge {

// Reads keys of one table, records resolved values, and rejects unknown keys.
class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& in, nlohmann::json& out, std::string origin, std::string where)
      : in_(in), out_(out), origin_(std::move(origin)), where_(std::move(where)) {
    if (!in_.is_object()) fail("", in_.dump(), "a table");
  }
  [[noreturn]] void fail(const std::string& key, const std::string& value, const std::string& expected) const {
    throw ConfigError(origin_ + ": " + where_ + key + " = " + value + ", expected " + expected);
  }
  int64_t integer(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    allowed_.insert(key);
    int64_t v = def;
    if (in_.contains(key)) {
      const nlohmann::json& x = in_[key];
      if (!x.is_number_integer())
        fail(key, x.dump(), "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      v = x.get<int64_t>();
      if (v < lo || v > hi)
        fail(key, x.dump(), "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    out_[key] = v;
    return v;
  }
  // A number in (lo, hi] when lo_open, else [lo, hi].
  float number(const std::string& key, double def, double lo, double hi, bool lo_open = false) {
    allowed_.insert(key);
    double v = def;
    std::string range = (lo_open ? "a number in (" : "a number in [") + fmt(lo) + ", " + fmt(hi) + "]";
    if (in_.contains(key)) {
      const nlohmann::json& x = in_[key];
      if (!x.is_number()) fail(key, x.dump(), range);
      v = x.get<double>();
      if (!(lo_open ? v > lo : v >= lo) || !(v <= hi)) fail(key, x.dump(), range);
    }
    out_[key] = v;
    return static_cast<float>(v);
  }
  bool boolean(const std::string& key, bool def) {
    allowed_.insert(key);
    bool v = def;
    if (in_.contains(key)) {
      if (!in_[key].is_boolean()) fail(key, in_[key].dump(), "true or false");
      v = in_[key].get<bool>();
    }
    out_[key] = v;
    return v;
  }
  // A string; `parse` may throw ConfigError, which gets the location prefixed.
  template <class F>
  auto choice(const std::string& key, const std::string& def, F parse) {
    std::string s = string(key, def);
    try {
      return parse(s);
    } catch (const ConfigError& e) {  // keep the parser's expectation, name the key as written
      std::string what = e.what();
      size_t at = what.find("expected ");
      fail(key, "\"" + s + "\"", at == std::string::npos ? what : what.substr(at + 9));
    }
  }
  std::string string(const std::string& key, const std::string& def) {
    allowed_.insert(key);
    std::string v = def;
    if (in_.contains(key)) {
      if (!in_[key].is_string()) fail(key, in_[key].dump(), "a string");
      v = in_[key].get<std::string>();
    }
    out_[key] = v;
    return v;
  }
  // A string or an array of strings (layer names); absent = empty.
  std::vector<std::string> names(const std::string& key) {
    allowed_.insert(key);
    std::vector<std::string> v;
    if (!in_.contains(key)) return v;
    const nlohmann::json& x = in_[key];
    if (x.is_string())
      v.push_back(x.get<std::string>());
    else if (x.is_array())
      for (const nlohmann::json& e : x) {
        if (!e.is_string()) fail(key, x.dump(), "a layer name or an array of layer names");
        v.push_back(e.get<std::string>());
      }
    else
      fail(key, x.dump(), "a layer name or an array of layer names");
    out_[key] = v;
    return v;
  }
  // A non-empty array of integers, each in [lo, hi] (layer widths).
  std::vector<int64_t> integers(const std::string& key, const std::vector<int64_t>& def, int64_t lo, int64_t hi) {
    allowed_.insert(key);
    std::vector<int64_t> v = def;
    const std::string expected =
        "a non-empty array of integers in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (in_.contains(key)) {
      const nlohmann::json& x = in_[key];
      if (!x.is_array() || x.empty()) fail(key, x.dump(), expected);
      v.clear();
      for (const nlohmann::json& e : x) {
        if (!e.is_number_integer() || e.get<int64_t>() < lo || e.get<int64_t>() > hi) fail(key, x.dump(), expected);
        v.push_back(e.get<int64_t>());
      }
    }
    out_[key] = v;
    return v;
  }
  void allow(const std::string& key) { allowed_.insert(key); }
  void reject_unknown() const {
    for (auto it = in_.begin(); it != in_.end(); ++it)
      if (!allowed_.count(it.key())) {
        std::string list;
        for (const auto& k : allowed_) list += (list.empty() ? "" : ", ") + k;
        throw ConfigError(origin_ + ": unknown key '" + where_ + it.key() + "', expected one of: " + list);
      }
  }

 private:
  static std::string fmt(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  }
  const nlohmann::json& in_;
  nlohmann::json& out_;
  std::string origin_, where_;
  std::set<std::string> allowed_;
};

inline const nlohmann::json& table_or_empty(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  return j.contains(key) ? j[key] : empty;
}

// [data] augment_shift (pixels, 0 = off), augment_flip (data/augment.h): the
// same keys for the BPTT and the plasticity trainers.
inline void read_augment(ConfigReader& r, AugmentParams& a) {
  a.shift = int(r.integer("augment_shift", 0, 0, 64));
  a.flip = r.boolean("augment_flip", false);
}

}  // namespace spikeforge
