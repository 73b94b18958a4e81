#include "cli/report.h"

#include <sys/resource.h>

#include <cstdio>

#include "io/atomic_file.h"

namespace spikeforge {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

nlohmann::json rates_to_json(const FiringRates& rates) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, r] : rates) j[name] = r;
  return j;
}

std::string rates_line(const FiringRates& rates, int digits) {
  std::string s;
  for (const auto& [name, r] : rates) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s=%.*f", name.c_str(), digits, r);
    s += buf;
  }
  return s;
}

void write_report(const std::string& path, const nlohmann::json& report) {
  write_file_atomic(path, report.dump(2) + "\n");
}

}  // namespace spikeforge
