// spikeforge train for learner = "stdp" | "vdsp" | "rstdp" | "desire"
// (cli/plasticity_train.cpp); run_train dispatches here once the config is read.
#pragma once
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config.h"

namespace spikeforge {

int run_plasticity_train(const TrainOptions& o, const TrainConfig& cfg);
// Both trainers end here (defined in cli/train_command.cpp): the report to
// OUT/report.json and to --report (each through a temporary file), then the
// closing line on stdout.
void finish_train_report(const TrainOptions& o, const nlohmann::json& report, double test_accuracy,
                         double train_seconds);

}  // namespace spikeforge
