#include "cli/plasticity_config.h"

#include "cli/config.h"
#include "cli/config_reader.h"
#include "core/error.h"
#include "data/dataset.h"

namespace spikeforge {
using nlohmann::json;

bool is_plasticity_learner(const std::string& learner) {
  return learner == "stdp" || learner == "vdsp" || learner == "rstdp" || learner == "desire";
}

namespace {

void read_plasticity_data(TrainConfig& c, const json& j, const std::string& origin) {
  ConfigReader r(table_or_empty(j, "data"), c.resolved["data"], origin, "data.");
  c.dataset = r.string("dataset", c.learner == "desire" ? "fashion-mnist" : "mnist");
  if (c.dataset != "mnist" && c.dataset != "fashion-mnist")
    r.fail("dataset", "\"" + c.dataset + "\"", "one of fashion-mnist, mnist");
  c.data_dir = r.string("dir", default_dataset_dir(c.dataset));
  c.train_limit = r.integer("train_limit", 0, 0, int64_t(1) << 40);
  c.test_limit = r.integer("test_limit", 0, 0, int64_t(1) << 40);
  c.holdout = r.integer("holdout", 0, 0, int64_t(1) << 40);
  read_augment(r, c.augment);
  r.reject_unknown();
}

// engine and shuffle, in every learner table
void read_common(PlasticityConfig& pc, ConfigReader& r) {
  pc.engine = r.choice("engine", "event", parse_sim_engine);
  pc.shuffle = r.boolean("shuffle", true);
}

// readout, readout_epochs, readout_lr: how an unsupervised layer's spike
// counts become a class (learn/label_readout.h), in the stdp and vdsp tables
void read_readout(PlasticityConfig& pc, ConfigReader& r) {
  pc.readout = r.string("readout", "vote");
  if (pc.readout != "vote" && pc.readout != "proportion" && pc.readout != "linear")
    r.fail("readout", "\"" + pc.readout + "\"", "one of vote, proportion, linear");
  pc.readout_epochs = int(r.integer("readout_epochs", 30, 1, 100000));
  pc.readout_lr = r.number("readout_lr", 1e-2, 0.0, 10.0, true);
}

StdpParams read_stdp_rule(ConfigReader& r, const StdpParams& def) {
  StdpParams s = def;
  s.pairing = r.choice("pairing", stdp_pairing_name(def.pairing), parse_stdp_pairing);
  s.update = r.choice("update", stdp_update_name(def.update), parse_stdp_update);
  s.triplet = r.boolean("triplet", def.triplet);
  s.nu_pre = r.number("nu_pre", def.nu_pre, 0.0, 1.0);
  s.nu_post = r.number("nu_post", def.nu_post, 0.0, 1.0);
  s.tau_pre = r.number("tau_pre_ms", def.tau_pre, 0.0, 1e6, true);
  s.tau_post = r.number("tau_post_ms", def.tau_post, 0.0, 1e6, true);
  s.tau_post_slow = r.number("tau_post_slow_ms", def.tau_post_slow, 0.0, 1e6, true);
  s.w_max = r.number("w_max", def.w_max, 0.0, 1e6, true);
  s.norm_sum = r.number("norm_sum", def.norm_sum, 0.0, 1e9);
  return s;
}

void read_stdp(TrainConfig& c, const json& t, const std::string& origin) {
  ConfigReader r(t, c.resolved["stdp"], origin, "stdp.");
  PlasticityConfig& pc = c.plasticity;
  read_common(pc, r);
  DiehlCookParams& p = pc.diehl_cook;
  p.timesteps = c.timesteps;
  p.neurons = int(r.integer("neurons", 400, 1, 1 << 16));
  p.dt_ms = r.number("dt_ms", 0.5, 0.0, 100.0, true);
  p.rest_steps = int(r.integer("rest_steps", 300, 0, 1 << 24));
  p.input_rate_hz = r.number("input_rate_hz", 63.75, 0.0, 1e5, true);
  p.rate_step_hz = r.number("rate_step_hz", 31.875, 0.0, 1e5);
  p.min_spikes = int(r.integer("min_spikes", 5, 0, 1 << 20));
  p.max_retries = int(r.integer("max_retries", 8, 0, 1000));
  p.w_init_min = r.number("w_init_min", 0.003, 0.0, 1e6);
  p.w_init_max = r.number("w_init_max", 0.303, 0.0, 1e6);
  if (p.w_init_max < p.w_init_min) r.fail("w_init_max", t.value("w_init_max", json()).dump(), "at least w_init_min");
  p.stdp = read_stdp_rule(r, p.stdp);
  if (p.w_init_max > p.stdp.w_max) r.fail("w_init_max", json(p.w_init_max).dump(), "at most w_max");
  p.homeostasis = r.choice("homeostasis", "diehl_cook", parse_homeostasis_kind);
  p.theta_plus_mv = r.number("theta_plus_mv", 0.05, 0.0, 1e3);
  p.tau_theta_ms = r.number("tau_theta_ms", 1e7, 0.0, 1e12, true);
  p.theta_init_mv = r.number("theta_init_mv", 20.0, 0.0, 1e3);
  p.target_rate_hz = r.number("target_rate_hz", 5.0, 0.0, 1e4);
  p.theta_lr_mv = r.number("theta_lr_mv", 0.05, 0.0, 1e3);
  p.w_ei = r.number("w_ei", 10.4, 0.0, 1e6);
  p.w_ie = r.number("w_ie", 17.0, 0.0, 1e6);
  read_readout(pc, r);
  r.reject_unknown();
}

void read_vdsp(TrainConfig& c, const json& t, const std::string& origin) {
  ConfigReader r(t, c.resolved["vdsp"], origin, "vdsp.");
  PlasticityConfig& pc = c.plasticity;
  read_common(pc, r);
  VdspWtaParams& p = pc.vdsp;
  p.timesteps = c.timesteps;
  p.neurons = int(r.integer("neurons", 100, 1, 1 << 16));
  p.input_tau = r.number("input_tau_ms", 30.0, 0.0, 1e6, true);
  p.input_bias = r.number("input_bias", 0.032, -10.0, 10.0);
  p.input_scale = r.number("input_scale", 0.00675, 0.0, 10.0);
  p.output_tau = r.number("output_tau_ms", 60.0, 0.0, 1e6, true);
  p.threshold = r.number("threshold", 10.0, 0.0, 1e6, true);
  p.refractory = int(r.integer("refractory_steps", 5, 0, 1 << 20));
  p.inhibition = int(r.integer("inhibition_steps", 10, 0, 1 << 20));
  p.lr = r.number("lr", 1e-3, 0.0, 1.0);
  p.w_init_min = r.number("w_init_min", 0.0, 0.0, 1.0);
  p.w_init_max = r.number("w_init_max", 1.0, 0.0, 1.0);
  if (p.w_init_max < p.w_init_min) r.fail("w_init_max", json(p.w_init_max).dump(), "at least w_init_min");
  p.theta_plus = r.number("theta_plus", 0.0, 0.0, 1e6);
  p.tau_theta = r.number("tau_theta_ms", 1e7, 0.0, 1e12, true);
  read_readout(pc, r);
  r.reject_unknown();
}

void read_rstdp(TrainConfig& c, const json& t, const std::string& origin) {
  ConfigReader r(t, c.resolved["rstdp"], origin, "rstdp.");
  PlasticityConfig& pc = c.plasticity;
  read_common(pc, r);
  BioLcNetParams& p = pc.biolcnet;
  p.timesteps = c.timesteps;
  p.crop = int(r.integer("crop", 22, 1, 4096));
  p.kernel = int(r.integer("kernel", 15, 1, 4096));
  p.stride = int(r.integer("stride", 4, 1, 4096));
  p.channels = int(r.integer("channels", 100, 1, 1 << 16));
  p.per_class = int(r.integer("per_class", 20, 1, 1 << 16));
  p.observe = int(r.integer("observe_steps", 100, 0, c.timesteps));
  p.lc_epochs = int(r.integer("lc_epochs", 1, 0, c.epochs));
  p.input_rate_hz = r.number("input_rate_hz", 64.0, 0.0, 1e5, true);
  p.stdp = read_stdp_rule(r, p.stdp);
  p.w_lc_init_max = r.number("w_lc_init_max", 0.3, 0.0, 1e6);
  p.lc_inhibition = r.number("lc_inhibition_mv", 100.0, 0.0, 1e6);
  p.out_inhibition = r.number("out_inhibition_mv", 0.0, 0.0, 1e6);
  p.v_thresh = r.number("v_thresh_mv", -52.0, -1e3, 1e3);
  p.tau_m = r.number("tau_m_ms", 100.0, 0.0, 1e6, true);
  p.refractory = int(r.integer("refractory_steps", 5, 0, 1 << 20));
  p.theta_plus = r.number("theta_plus_mv", 0.05, 0.0, 1e3);
  p.tau_theta = r.number("tau_theta_ms", 1e6, 0.0, 1e12, true);
  RstdpParams& q = p.rstdp;
  q.eta = r.number("eta", 1e-3, 0.0, 10.0);
  q.a_plus = r.number("a_plus", 1.0, 0.0, 1e3);
  q.a_minus = r.number("a_minus", 1.0, 0.0, 1e3);
  q.tau_plus = r.number("tau_plus_ms", 20.0, 0.0, 1e6, true);
  q.tau_minus = r.number("tau_minus_ms", 20.0, 0.0, 1e6, true);
  q.tau_z = r.number("tau_z_ms", 25.0, 0.0, 1e6, true);
  q.w_max = r.number("w_out_max", 1.0, 0.0, 1e6, true);
  p.dps = r.number("dopamine_per_spike", 1.0, 0.0, 1e6);
  p.neg_dps = r.number("punishment_per_spike", 1.0, 0.0, 1e6);
  p.tau_dopamine = r.number("tau_dopamine_ms", 10.0, 0.0, 1e6, true);
  p.w_out_init_max = r.number("w_out_init_max", 0.3, 0.0, 1e6);
  if (p.kernel > p.crop) r.fail("kernel", std::to_string(p.kernel), "at most crop = " + std::to_string(p.crop));
  r.reject_unknown();
}

void read_desire(TrainConfig& c, const json& t, const std::string& origin) {
  ConfigReader r(t, c.resolved["desire"], origin, "desire.");
  PlasticityConfig& pc = c.plasticity;
  pc.engine = r.choice("engine", "dense", parse_sim_engine);
  pc.shuffle = r.boolean("shuffle", true);
  DesireNetParams& p = pc.desire;
  p.timesteps = c.timesteps;
  p.hidden.clear();
  for (int64_t h : r.integers("hidden", {1000, 100}, 1, 1 << 20)) p.hidden.push_back(int(h));
  p.threshold = r.number("threshold", 1.0, 0.0, 1e6, true);
  p.decay_bits = int(r.integer("decay_bits", 2, 0, 24));
  p.dropout_input = r.number("dropout_input", 0.0, 0.0, 0.99);
  p.dropout_hidden = r.number("dropout_hidden", 0.3, 0.0, 0.99);
  const std::string init = r.string("init", "kaiming_normal");
  if (init != "kaiming_normal" && init != "kaiming_uniform")
    r.fail("init", "\"" + init + "\"", "one of kaiming_normal, kaiming_uniform");
  p.kaiming_normal = init == "kaiming_normal";
  p.lr = r.number("lr", 1e-5, 0.0, 100.0, true);
  p.lr_decay = r.number("lr_decay", 0.04, 0.0, 100.0);
  p.theta_out = r.number("desire_output", 0.30, 0.0, 1e6);
  p.theta_hidden = r.number("desire_hidden", 0.05, 0.0, 1e6);
  p.error_margin = int(r.integer("error_margin", 4, 0, c.timesteps - 1));
  r.reject_unknown();
}

}  // namespace

TrainConfig parse_plasticity_config(const json& j, const std::string& origin) {
  TrainConfig c;
  c.resolved = json::object();
  ConfigReader r(j, c.resolved, origin, "");
  c.learner = r.string("learner", "bptt");  // validated by the caller
  const int default_T = c.learner == "stdp" ? 700 : c.learner == "vdsp" ? 350 : c.learner == "rstdp" ? 256 : 20;
  c.seed = static_cast<uint64_t>(r.integer("seed", 0, 0, int64_t(1) << 62));
  c.timesteps = int(r.integer("timesteps", default_T, 1, 1000000));
  c.epochs = int(r.integer("epochs", 1, 1, 100000));
  c.threads = int(r.integer("threads", 0, 0, 4096));
  c.batch_size = 1;  // online: one sample at a time
  r.allow("data");
  r.allow(c.learner);
  r.reject_unknown();
  read_plasticity_data(c, j, origin);
  const json& t = table_or_empty(j, c.learner.c_str());
  if (c.learner == "stdp") read_stdp(c, t, origin);
  if (c.learner == "vdsp") read_vdsp(c, t, origin);
  if (c.learner == "rstdp") read_rstdp(c, t, origin);
  if (c.learner == "desire") read_desire(c, t, origin);
  c.neuron = c.learner == "desire" ? "lif" : c.learner == "vdsp" ? "lif" : "lif_adaptive_threshold";
  return c;
}

}  // namespace spikeforge
