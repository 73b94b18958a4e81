// spikeforge train for learner = "stdp" | "vdsp" | "rstdp" | "desire"
// (cli/plasticity_train.cpp); run_train dispatches here once the config is read.
#pragma once
#include "cli/commands.h"
#include "cli/config.h"

namespace spikeforge {

int run_plasticity_train(const TrainOptions& o, const TrainConfig& cfg);

}  // namespace spikeforge
