// Config of the local-plasticity learners (learner = "stdp" | "vdsp" |
// "rstdp" | "desire"), read through the same ConfigReader as the BPTT config
// (cli/config_reader.h): every key validated, an unknown key an error, the
// resolved config (defaults filled in) echoed by reports and checkpoints.
//
// Top level: learner, seed, epochs, threads, timesteps (steps a sample is
//   shown; default per learner: stdp 700, vdsp 350, rstdp 256, desire 20).
// [data]   dataset ("mnist" | "fashion-mnist"), dir, train_limit, test_limit,
//          holdout (as in the BPTT config)
// [stdp]   Diehl & Cook network (learn/diehl_cook.h, learn/stdp.h):
//          neurons, dt_ms, rest_steps, input_rate_hz, rate_step_hz, min_spikes,
//          max_retries, w_init_min, w_init_max, pairing ("nearest" | "all"),
//          update ("additive" | "multiplicative"), triplet, nu_pre, nu_post,
//          tau_pre_ms, tau_post_ms, tau_post_slow_ms, w_max, norm_sum,
//          homeostasis ("diehl_cook" | "target_rate"), theta_plus_mv,
//          tau_theta_ms, theta_init_mv, target_rate_hz, theta_lr_mv, w_ei, w_ie,
//          readout ("vote" | "proportion" | "linear"), readout_epochs, readout_lr
// [vdsp]   VDSP winner-take-all network (learn/vdsp_wta.h): neurons,
//          input_tau_ms, input_bias, input_scale, output_tau_ms, threshold,
//          refractory_steps, inhibition_steps, lr, w_init_min, w_init_max,
//          theta_plus, tau_theta_ms (optional homeostasis; 0 = the reference),
//          readout, readout_epochs, readout_lr (as in [stdp])
// [rstdp]  BioLCNet (learn/biolcnet.h): see that header's table for the keys
// [desire] desire backpropagation (learn/desire_net.h): hidden, threshold,
//          decay_bits, dropout_input, dropout_hidden, init ("kaiming_normal" |
//          "kaiming_uniform"), lr, lr_decay, desire_output, desire_hidden,
//          error_margin
// Every learner table also takes engine ("event" | "dense": event-driven or
// step-by-step simulation, learn/plastic_projection.h) and shuffle (training
// order reshuffled each epoch with the seed).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "learn/biolcnet.h"
#include "learn/desire_net.h"
#include "learn/diehl_cook.h"
#include "learn/plastic_projection.h"
#include "learn/vdsp_wta.h"

namespace spikeforge {

struct TrainConfig;

struct PlasticityConfig {
  SimEngine engine = SimEngine::Event;
  bool shuffle = true;
  std::string readout = "vote";  // stdp, vdsp: vote | proportion | linear
  int readout_epochs = 30;
  float readout_lr = 1e-2f;
  DiehlCookParams diehl_cook;
  VdspWtaParams vdsp;
  BioLcNetParams biolcnet;
  DesireNetParams desire;
};

bool is_plasticity_learner(const std::string& learner);
// The whole config of a plasticity learner (cli/config.cpp calls it once the
// learner is known); ConfigError naming `origin`, key and value.
TrainConfig parse_plasticity_config(const nlohmann::json& j, const std::string& origin);

}  // namespace spikeforge
