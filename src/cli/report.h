// JSON reports and the small measurements they carry.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "engine/dense_engine.h"

namespace spikeforge {

// Peak resident set size of this process so far, in MiB (getrusage).
double peak_rss_mb();
nlohmann::json rates_to_json(const FiringRates& rates);
// " name=rate name=rate ..." for the progress lines, `digits` decimals.
std::string rates_line(const FiringRates& rates, int digits);
// Pretty JSON through a temporary file and rename (io/atomic_file.h).
void write_report(const std::string& path, const nlohmann::json& report);

}  // namespace spikeforge
