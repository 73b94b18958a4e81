// Config keys of deep and recurrent training, read through the config's
// reader (cli/config.cpp instantiates these with its ConfigReader, which
// records every resolved value and rejects unknown keys).
//
// [neuron_params] (beside beta, threshold, reset, ...): tau_adapt, adapt_strength,
//     adapt_fraction (alif, ahp), alpha (cuba), refractory (steps), learn_beta
//     ("none" | "layer" | "neuron"): nn/neuron_model.h; refractory and learn_beta
//     apply to every lif layer too (resblock neurons included)
// [init_params] (init = "fluctuation"): membrane_mean, membrane_std (targets in
//     units of the threshold), samples, ff_fraction: nn/fluctuation_init.h
// [bptt]  truncation (steps per chunk, 0 = full BPTT), clip_norm (0 = off): learn/bptt.h
// [[layers]] types and keys:
//   alif / ahp / cuba / plif (beta, threshold, tau_adapt, adapt_strength,
//       adapt_fraction, alpha, refractory, learn_beta); lif also takes refractory, learn_beta
//   recurrent (units, neuron = the config's neuron, bias = true, dale = false,
//       excitatory = 0.8, beta, threshold and the neuron keys above)
//   bntt (bias = false, eps = 1e-4, momentum = 0.1)   tdbn (alpha = 1, eps = 1e-5, momentum = 0.1)
//   sew (op = "add" | "and" | "iand", from = ["block output", "skip"])
//   resblock (channels, stride = 1, skip = "spike_add" | "membrane_add" | "sew_add" | "sew_and"
//       | "sew_iand" | "none", norm = "bntt" | "tdbn" | "batchnorm" | "none", neuron, eps, momentum)
//   linear also takes dale = false, excitatory = 0.8
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "learn/bptt.h"
#include "nn/fluctuation_init.h"
#include "nn/layer_spec.h"
#include "nn/neuron_model.h"
#include "nn/residual_block.h"
#include "nn/sew.h"

namespace spikeforge {

// The layer types this file reads (beside the config's own).
inline bool is_deep_layer_type(const std::string& t) {
  return t == "alif" || t == "ahp" || t == "cuba" || t == "plif" || t == "recurrent" || t == "bntt" || t == "tdbn" ||
         t == "sew" || t == "resblock";
}

inline bool is_neuron_model_type(const std::string& t) {
  return t == "lif" || t == "alif" || t == "ahp" || t == "cuba" || t == "plif";
}

// The network-wide model parameters ([neuron_params]).
template <class Reader>
void read_neuron_model_params(Reader& r, NeuronModelParams& p) {
  p.tau_adapt = r.number("tau_adapt", 100.0, 0.0, 1e9, true);
  p.adapt_strength = r.number("adapt_strength", 1.8, 0.0, 1e6);
  p.adapt_fraction = r.number("adapt_fraction", 1.0, 0.0, 1.0);
  p.alpha = r.number("alpha", 0.8, 0.0, 1.0);
  p.refractory = int(r.integer("refractory", 0, 0, 1 << 20));
  p.learn_beta = r.choice("learn_beta", "none", parse_learn_beta);
}

// A layer's overrides of the same keys (absent: the network-wide value).
template <class Reader>
NeuronOverrides read_neuron_overrides(Reader& r, const nlohmann::json& lj, bool adaptive, bool cuba) {
  NeuronOverrides o;
  if (adaptive) {
    if (lj.contains("tau_adapt")) o.tau_adapt = r.number("tau_adapt", 0.0, 0.0, 1e9, true);
    if (lj.contains("adapt_strength")) o.adapt_strength = r.number("adapt_strength", 0.0, 0.0, 1e6);
    if (lj.contains("adapt_fraction")) o.adapt_fraction = r.number("adapt_fraction", 0.0, 0.0, 1.0);
  }
  if (cuba && lj.contains("alpha")) o.alpha = r.number("alpha", 0.0, 0.0, 1.0);
  if (lj.contains("refractory")) o.refractory = int(r.integer("refractory", 0, 0, 1 << 20));
  if (lj.contains("learn_beta")) o.learn_beta = r.choice("learn_beta", "none", parse_learn_beta);
  return o;
}

// Reads the keys of a deep layer type (is_deep_layer_type) or the deep keys of
// lif/linear into s; `neuron` is the config's neuron model.
template <class Reader>
void read_deep_layer(Reader& r, const nlohmann::json& lj, LayerSpec& s, const std::string& neuron) {
  const std::string& t = s.type;
  auto neuron_keys = [&](const std::string& model) {
    s.neuron_overrides = read_neuron_overrides(r, lj, model == "alif" || model == "ahp", model == "cuba");
  };
  if (t == "alif" || t == "ahp" || t == "cuba" || t == "plif") {
    s.beta = r.number("beta", 0.0, 0.0, 1.0);
    s.threshold = r.number("threshold", 0.0, 0.0, 1e6);
    neuron_keys(t);
  } else if (t == "lif") {
    neuron_keys(t);
  } else if (t == "recurrent") {
    s.units = int(r.integer("units", 0, 1, 1 << 20));
    if (!lj.contains("units")) r.fail("units", "(missing)", "an integer >= 1");
    s.neuron = r.choice("neuron", is_neuron_model_type(neuron) ? neuron : "lif", [](const std::string& m) {
      if (!is_neuron_model_type(m))
        throw ConfigError("neuron = \"" + m + "\", expected one of lif, alif, ahp, cuba, plif");
      return m;
    });
    s.bias = r.boolean("bias", true);
    s.dale = r.boolean("dale", false);
    s.excitatory = r.number("excitatory", 0.8, 0.0, 1.0);
    s.beta = r.number("beta", 0.0, 0.0, 1.0);
    s.threshold = r.number("threshold", 0.0, 0.0, 1e6);
    neuron_keys(s.neuron);
  } else if (t == "linear") {
    s.dale = r.boolean("dale", false);
    if (s.dale) s.excitatory = r.number("excitatory", 0.8, 0.0, 1.0);
  } else if (t == "bntt") {
    s.bias = r.boolean("bias", false);
    s.eps = r.number("eps", 1e-4, 0.0, 1.0, true);
    s.momentum = r.number("momentum", 0.1, 0.0, 1.0, true);
  } else if (t == "tdbn") {
    s.bn_alpha = r.number("alpha", 1.0, 0.0, 1e6, true);
    s.eps = r.number("eps", 1e-5, 0.0, 1.0, true);
    s.momentum = r.number("momentum", 0.1, 0.0, 1.0, true);
  } else if (t == "sew") {
    s.op = r.choice("op", "add", [](const std::string& m) { return std::string(sew_op_name(parse_sew_op(m))); });
  } else if (t == "resblock") {
    s.channels = int(r.integer("channels", 0, 1, 1 << 16));
    if (!lj.contains("channels")) r.fail("channels", "(missing)", "an integer >= 1");
    s.stride = int(r.integer("stride", 1, 1, 64));
    s.skip = r.choice("skip", "spike_add",
                      [](const std::string& m) { return std::string(skip_kind_name(parse_skip_kind(m))); });
    s.norm = r.choice("norm", "bntt", [](const std::string& m) {
      if (m != "bntt" && m != "tdbn" && m != "batchnorm" && m != "none")
        throw ConfigError("norm = \"" + m + "\", expected one of bntt, tdbn, batchnorm, none");
      return m;
    });
    s.neuron = r.choice("neuron", is_neuron_model_type(neuron) ? neuron : "lif", [](const std::string& m) {
      if (!is_neuron_model_type(m) && m != "if")
        throw ConfigError("neuron = \"" + m + "\", expected one of lif, if, alif, ahp, cuba, plif");
      return m;
    });
    s.eps = r.number("eps", s.norm == "bntt" ? 1e-4 : 1e-5, 0.0, 1.0, true);
    s.momentum = r.number("momentum", 0.1, 0.0, 1.0, true);
  }
}

template <class Reader>
void read_fluctuation_params(Reader& r, FluctuationParams& p) {
  p.membrane_mean = r.number("membrane_mean", 0.0, -100.0, 100.0);
  p.membrane_std = r.number("membrane_std", 1.0, 0.0, 100.0, true);
  p.samples = int(r.integer("samples", 512, 1, 1 << 20));
  p.ff_fraction = r.number("ff_fraction", 0.9, 0.0, 1.0, true);
}

template <class Reader>
void read_bptt_params(Reader& r, BpttParams& p) {
  p.truncation = int(r.integer("truncation", 0, 0, 1 << 20));
  p.clip_norm = r.number("clip_norm", 0.0, 0.0, 1e9);
}

}  // namespace spikeforge
