#include "cli/plasticity_model.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "io/checkpoint.h"
#include "learn/label_readout.h"

namespace spikeforge {
namespace {

// Keys of the random streams: training sample i of epoch e, and evaluation passes.
uint64_t eval_key(int pass, int epoch) { return 0xE7A1000000ULL + uint64_t(pass) * 100000 + uint64_t(epoch); }

// Runs body(sample, state) over S samples on all threads, each thread with its
// own simulation state; the randomness of a sample depends only on its index,
// so the result does not depend on the thread count.
template <class MakeState, class Body, class Merge>
void parallel_samples(int64_t S, MakeState make_state, Body body, Merge merge) {
#pragma omp parallel
  {
    auto st = make_state();
#pragma omp for schedule(dynamic, 4)
    for (int64_t s = 0; s < S; ++s) body(s, st);
#pragma omp critical
    merge(st);
  }
}

int64_t total_size(const std::vector<std::pair<std::string, std::vector<float>*>>& a) {
  int64_t n = 0;
  for (const auto& [name, v] : a) n += int64_t(v->size());
  return n;
}

// Fraction of the S samples of counts r [S, N] that predict(counts) gets right.
template <class Predict>
double readout_accuracy(const std::vector<float>& r, const ImageDataset& ds, int N, Predict predict) {
  int64_t ok = 0;
  for (int64_t s = 0; s < ds.count; ++s) ok += predict(r.data() + s * N) == ds.labels[s];
  return ds.count ? double(ok) / double(ds.count) : 0.0;
}

// Counts [S, N] of unsupervised neurons -> vote accuracy, and the configured
// read-out's (proportion or linear) when it is not the vote.
void vote_readouts(const std::vector<float>& r_train, const ImageDataset& train, const std::vector<float>& r_test,
                   const ImageDataset& test, int N, bool average, const PlasticityConfig& pc, uint64_t seed,
                   std::vector<int>& labels, PlasticEval& ev) {
  const int C = train.num_classes;
  labels = assign_labels(r_train.data(), train.labels.data(), train.count, N, C);
  int labelled = 0;
  for (int l : labels) labelled += l >= 0;
  ev.accuracy = readout_accuracy(r_test, test, N, [&](const float* c) { return vote_class(c, labels, C, average); });
  ev.extra["vote_accuracy"] = ev.accuracy;
  ev.extra["labelled_neurons"] = labelled;
  if (pc.readout == "proportion") {
    const std::vector<float> p = class_proportions(r_train.data(), train.labels.data(), train.count, N, C);
    ev.accuracy = readout_accuracy(r_test, test, N, [&](const float* c) { return proportion_class(c, p, C); });
    ev.extra["proportion_accuracy"] = ev.accuracy;
  }
  if (pc.readout == "linear") {
    const LinearReadout lr = train_linear_readout(r_train.data(), train.labels.data(), train.count, N, C,
                                                  pc.readout_epochs, pc.readout_lr, seed);
    ev.accuracy = readout_accuracy(r_test, test, N, [&](const float* c) { return lr.predict(c); });
    ev.extra["linear_accuracy"] = ev.accuracy;
  }
}

class DiehlCookModel : public PlasticModel {
 public:
  DiehlCookModel(const TrainConfig& cfg, const ImageDataset& train)
      : cfg_(cfg), net_(cfg.plasticity.diehl_cook, int(train.features())), st_(net_.make_state()) {
    scratch_.assign(net_.neurons(), 0.f);
    labels_.assign(net_.neurons(), -1.f);
  }
  std::string network() const override { return "diehl_cook"; }
  std::string init_name() const override { return "uniform"; }
  void init(Rng& rng) override { net_.init_weights(rng); }
  int train_sample(const float* x, int, int, uint64_t key) override {
    Rng rng = Rng(cfg_.seed).derive(key);
    retries_ += net_.present(x, rng, true, cfg_.plasticity.engine, st_, scratch_.data());
    ++trained_;
    return -1;
  }
  PlasticEval evaluate(const ImageDataset& train, const ImageDataset& test, int epoch) override {
    const int N = net_.neurons();
    std::vector<float> r_train = responses(train, eval_key(1, epoch), nullptr);
    PlasticEval ev;
    DiehlCookState sum = net_.make_state();
    std::vector<float> r_test = responses(test, eval_key(2, epoch), &sum);
    std::vector<int> labels;
    vote_readouts(r_train, train, r_test, test, N, true, cfg_.plasticity, cfg_.seed, labels, ev);
    for (int j = 0; j < N; ++j) labels_[j] = float(labels[j]);
    const double steps = sum.steps > 0 ? sum.steps : 1;
    ev.rates = {{"input", sum.input_spikes / (steps * net_.inputs())},
                {"excitatory", sum.exc_spikes / (steps * N)},
                {"inhibitory", sum.inh_spikes / (steps * N)}};
    ev.extra["retries_per_training_sample"] = trained_ ? double(retries_) / double(trained_) : 0.0;
    return ev;
  }
  void end_epoch(int) override { retries_ = trained_ = 0; }
  std::vector<std::pair<std::string, std::vector<float>*>> arrays() override {
    return {{"w_input", &net_.weights()}, {"theta", &net_.theta()}, {"labels", &labels_}};
  }
  ReceptiveFields receptive_fields() const override {
    ReceptiveFields f;
    f.count = net_.neurons(), f.height = 28, f.width = 28, f.min = 0, f.max = cfg_.plasticity.diehl_cook.stdp.w_max;
    fields_from_input_major(net_.weights(), net_.inputs(), f);
    return f;
  }
  int64_t parameter_count() override { return int64_t(net_.weights().size() + net_.theta().size()); }

  static void fields_from_input_major(const std::vector<float>& w, int I, ReceptiveFields& f) {
    const int N = f.count;
    f.height = I == 784 ? 28 : int(std::lround(std::sqrt(double(I))));
    f.width = I / f.height;
    f.values.assign(size_t(N) * I, 0.f);
    for (int i = 0; i < I; ++i)
      for (int j = 0; j < N; ++j) f.values[size_t(j) * I + i] = w[size_t(i) * N + j];
  }

 private:
  std::vector<float> responses(const ImageDataset& ds, uint64_t key, DiehlCookState* sum) {
    const int N = net_.neurons();
    std::vector<float> r(size_t(ds.count) * N, 0.f);
    const Rng base = Rng(cfg_.seed).derive(key);
    parallel_samples(
        ds.count, [&] { return net_.make_state(); },
        [&](int64_t s, DiehlCookState& st) {
          Rng rng = base.derive(uint64_t(s));
          net_.present(ds.image(s), rng, false, cfg_.plasticity.engine, st, r.data() + s * N);
        },
        [&](DiehlCookState& st) {
          if (!sum) return;
          sum->input_spikes += st.input_spikes, sum->exc_spikes += st.exc_spikes;
          sum->inh_spikes += st.inh_spikes, sum->steps += st.steps;
        });
    return r;
  }

  const TrainConfig& cfg_;
  DiehlCookNet net_;
  DiehlCookState st_;
  std::vector<float> scratch_, labels_;
  int64_t retries_ = 0, trained_ = 0;
};

class VdspModel : public PlasticModel {
 public:
  VdspModel(const TrainConfig& cfg, const ImageDataset& train)
      : cfg_(cfg), net_(cfg.plasticity.vdsp, int(train.features())), st_(net_.make_state()) {
    scratch_.assign(net_.neurons(), 0.f);
    labels_.assign(net_.neurons(), -1.f);
  }
  std::string network() const override { return "vdsp_wta"; }
  std::string init_name() const override { return "uniform"; }
  void init(Rng& rng) override { net_.init_weights(rng); }
  int train_sample(const float* x, int, int, uint64_t) override {
    net_.present(x, true, cfg_.plasticity.engine, st_, scratch_.data());
    return -1;
  }
  PlasticEval evaluate(const ImageDataset& train, const ImageDataset& test, int) override {
    const int N = net_.neurons();
    std::vector<float> r_train = responses(train, nullptr);
    VdspWtaState sum = net_.make_state();
    std::vector<float> r_test = responses(test, &sum);
    PlasticEval ev;
    std::vector<int> labels;
    vote_readouts(r_train, train, r_test, test, N, false, cfg_.plasticity, cfg_.seed, labels, ev);
    for (int j = 0; j < N; ++j) labels_[j] = float(labels[j]);
    const double steps = sum.steps > 0 ? sum.steps : 1;
    ev.rates = {{"input", sum.input_spikes / (steps * net_.inputs())}, {"output", sum.output_spikes / (steps * N)}};
    return ev;
  }
  std::vector<std::pair<std::string, std::vector<float>*>> arrays() override {
    return {{"w_input", &net_.weights()}, {"theta", &net_.theta()}, {"labels", &labels_}};
  }
  ReceptiveFields receptive_fields() const override {
    ReceptiveFields f;
    f.count = net_.neurons(), f.min = 0, f.max = 1;
    DiehlCookModel::fields_from_input_major(net_.weights(), net_.inputs(), f);
    return f;
  }
  int64_t parameter_count() override { return int64_t(net_.weights().size()); }

 private:
  std::vector<float> responses(const ImageDataset& ds, VdspWtaState* sum) {
    const int N = net_.neurons();
    std::vector<float> r(size_t(ds.count) * N, 0.f);
    parallel_samples(
        ds.count, [&] { return net_.make_state(); },
        [&](int64_t s, VdspWtaState& st) {
          net_.present(ds.image(s), false, cfg_.plasticity.engine, st, r.data() + s * N);
        },
        [&](VdspWtaState& st) {
          if (!sum) return;
          sum->input_spikes += st.input_spikes, sum->output_spikes += st.output_spikes, sum->steps += st.steps;
        });
    return r;
  }
  const TrainConfig& cfg_;
  VdspWtaNet net_;
  VdspWtaState st_;
  std::vector<float> scratch_, labels_;
};

class BioLcModel : public PlasticModel {
 public:
  BioLcModel(const TrainConfig& cfg, const ImageDataset& train)
      : cfg_(cfg), net_(cfg.plasticity.biolcnet, train.H, train.W, train.num_classes), st_(net_.make_state()) {
    scratch_.assign(net_.outputs(), 0.f);
  }
  std::string network() const override { return "biolcnet"; }
  std::string init_name() const override { return "uniform"; }
  void init(Rng& rng) override { net_.init_weights(rng); }
  int train_sample(const float* x, int y, int epoch, uint64_t key) override {
    Rng rng = Rng(cfg_.seed).derive(key);
    const BioLcPhase ph = epoch < net_.params().lc_epochs ? BioLcPhase::LearnLc : BioLcPhase::LearnOutput;
    const int pred = net_.present(x, y, ph, cfg_.plasticity.engine, rng, st_, scratch_.data());
    ++samples_seen_;
    return ph == BioLcPhase::LearnLc ? -1 : pred == y;
  }
  PlasticEval evaluate(const ImageDataset&, const ImageDataset& test, int epoch) override {
    BioLcNetState sum = net_.make_state();
    int64_t ok = 0;
    const Rng base = Rng(cfg_.seed).derive(eval_key(2, epoch));
    parallel_samples(
        test.count, [&] { return std::make_pair(net_.make_state(), std::vector<float>(net_.outputs())); },
        [&](int64_t s, auto& st) {
          Rng rng = base.derive(uint64_t(s));
          const int pred = net_.present(test.image(s), test.labels[s], BioLcPhase::Frozen, cfg_.plasticity.engine, rng,
                                        st.first, st.second.data());
#pragma omp atomic
          ok += pred == test.labels[s];
        },
        [&](auto& st) {
          sum.input_spikes += st.first.input_spikes, sum.lc_spikes += st.first.lc_spikes;
          sum.out_spikes += st.first.out_spikes, sum.steps += st.first.steps;
        });
    PlasticEval ev;
    ev.accuracy = test.count ? double(ok) / double(test.count) : 0.0;
    const double steps = sum.steps > 0 ? sum.steps : 1;
    const int crop = net_.params().crop;
    ev.rates = {{"input", sum.input_spikes / (steps * crop * crop)},
                {"locally_connected", sum.lc_spikes / (steps * net_.lc_neurons())},
                {"output", sum.out_spikes / (steps * net_.outputs())}};
    ev.extra["phase"] = epoch < net_.params().lc_epochs ? "lc_stdp" : "output_rstdp";
    ev.extra["mean_reward_per_sample"] = samples_seen_ ? st_.reward / double(samples_seen_) : 0.0;
    return ev;
  }
  void end_epoch(int) override {  // after evaluate
    st_.reward = 0;
    samples_seen_ = 0;
  }
  std::vector<std::pair<std::string, std::vector<float>*>> arrays() override {
    return {{"w_lc", &net_.lc_weights()}, {"w_out", &net_.out_weights()}, {"theta", &net_.theta()}};
  }
  ReceptiveFields receptive_fields() const override {
    ReceptiveFields f;
    const int P = net_.positions(), C = net_.params().channels, Q = net_.patch(), k = net_.params().kernel;
    f.count = P * C, f.height = k, f.width = k, f.min = 0, f.max = net_.params().stdp.w_max;
    f.values.assign(size_t(P) * C * Q, 0.f);
    const std::vector<float>& w = net_.lc_weights();  // [P][Q, C]
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q)
        for (int c = 0; c < C; ++c) f.values[(size_t(p) * C + c) * Q + q] = w[(size_t(p) * Q + q) * C + c];
    return f;
  }
  int64_t parameter_count() override { return int64_t(net_.lc_weights().size() + net_.out_weights().size()); }

 private:
  const TrainConfig& cfg_;
  BioLcNet net_;
  BioLcNetState st_;
  std::vector<float> scratch_;
  int64_t samples_seen_ = 0;
};

class DesireModel : public PlasticModel {
 public:
  DesireModel(const TrainConfig& cfg, const ImageDataset& train)
      : cfg_(cfg), net_(cfg.plasticity.desire, int(train.features()), train.num_classes), st_(net_.make_state()) {
    out_.assign(train.num_classes, 0.f);
  }
  std::string network() const override { return "desire"; }
  std::string init_name() const override {
    return cfg_.plasticity.desire.kaiming_normal ? "kaiming_normal" : "kaiming_uniform";
  }
  void init(Rng& rng) override { net_.init_weights(rng); }
  int train_sample(const float* x, int y, int epoch, uint64_t key) override {
    Rng rng = Rng(cfg_.seed).derive(key);
    const DesireNetParams& p = cfg_.plasticity.desire;
    const float lr = p.lr * std::exp(-p.lr_decay * float(epoch));
    return net_.present(x, y, true, lr, cfg_.plasticity.engine, rng, st_, out_.data());
  }
  PlasticEval evaluate(const ImageDataset&, const ImageDataset& test, int) override {
    int64_t ok = 0;
    DesireState sum = net_.make_state();
    parallel_samples(
        test.count, [&] { return std::make_pair(net_.make_state(), std::vector<float>(test.num_classes)); },
        [&](int64_t s, auto& st) {
          Rng rng(0);  // unused without learning
          const bool c = net_.present(test.image(s), test.labels[s], false, 0.f, cfg_.plasticity.engine, rng, st.first,
                                      st.second.data());
#pragma omp atomic
          ok += c;
        },
        [&](auto& st) {
          sum.input_spikes += st.first.input_spikes, sum.samples += st.first.samples;
          for (size_t l = 0; l < sum.layer.size(); ++l) sum.layer[l].spikes += st.first.layer[l].spikes;
        });
    PlasticEval ev;
    ev.accuracy = test.count ? double(ok) / double(test.count) : 0.0;
    const double steps = std::max(1.0, sum.samples * cfg_.timesteps);
    ev.rates.push_back({"input", sum.input_spikes / (steps * net_.width(0))});
    for (int l = 0; l < net_.layers(); ++l)
      ev.rates.push_back({(l + 1 == net_.layers() ? std::string("output") : "hidden" + std::to_string(l + 1)),
                          sum.layer[l].spikes / (steps * net_.width(l + 1))});
    return ev;
  }
  std::vector<std::pair<std::string, std::vector<float>*>> arrays() override {
    std::vector<std::pair<std::string, std::vector<float>*>> a;
    for (int l = 0; l < net_.layers(); ++l) a.push_back({"w" + std::to_string(l), &net_.weights(l)});
    return a;
  }
  ReceptiveFields receptive_fields() const override {
    ReceptiveFields f;
    f.count = net_.width(1);
    const std::vector<float>& w = net_.weights(0);
    float m = 0;
    for (float v : w) m = std::max(m, std::fabs(v));
    f.min = -m, f.max = m;
    DiehlCookModel::fields_from_input_major(w, net_.width(0), f);
    return f;
  }
  int64_t parameter_count() override { return total_size(arrays()); }

 private:
  const TrainConfig& cfg_;
  DesireNet net_;
  DesireState st_;
  std::vector<float> out_;
};

}  // namespace

std::unique_ptr<PlasticModel> make_plastic_model(const TrainConfig& cfg, const ImageDataset& train) {
  if (cfg.learner == "stdp") return std::make_unique<DiehlCookModel>(cfg, train);
  if (cfg.learner == "vdsp") return std::make_unique<VdspModel>(cfg, train);
  if (cfg.learner == "rstdp") return std::make_unique<BioLcModel>(cfg, train);
  if (cfg.learner == "desire") return std::make_unique<DesireModel>(cfg, train);
  throw InternalError("make_plastic_model: learner " + cfg.learner);
}

void save_plastic_checkpoint(const std::string& path, const TrainConfig& cfg, PlasticModel& m,
                             const nlohmann::json& meta) {
  Checkpoint ck;
  nlohmann::json mj = meta;
  mj["learner"] = cfg.learner;
  mj["network"] = m.network();
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [name, v] : m.arrays()) {
    ck.put_floats(name, *v);
    names.push_back(name);
  }
  mj["arrays"] = names;
  ReceptiveFields f = m.receptive_fields();
  mj["receptive_fields"] = {
      {"count", f.count}, {"height", f.height}, {"width", f.width}, {"min", f.min}, {"max", f.max}};
  ck.put_floats("receptive_fields", f.values);
  ck.put_text("config", cfg.resolved.dump());
  ck.put_text("meta", mj.dump());
  write_checkpoint(path, ck);
}

int load_plastic_checkpoint(const std::string& path, PlasticModel& m, const std::string& learner) {
  Checkpoint ck = read_checkpoint(path);
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(ck.text("meta", path));
  } catch (const nlohmann::json::exception&) {
    throw InputError(path + ": corrupt checkpoint: meta is not valid JSON");
  }
  if (meta.value("learner", std::string()) != learner)
    throw InputError(path + ": checkpoint was trained with learner = " + meta.value("learner", std::string("bptt")) +
                     ", expected " + learner);
  for (const auto& [name, v] : m.arrays()) {
    std::vector<float> a = ck.floats(name, path);
    if (a.size() != v->size())
      throw InputError(path + ": section '" + name + "' holds " + std::to_string(a.size()) + " values, the " +
                       "configured network needs " + std::to_string(v->size()));
    *v = std::move(a);
  }
  if (!meta.contains("epoch") || !meta["epoch"].is_number_integer())
    throw InputError(path + ": corrupt checkpoint: meta has no integer 'epoch'");
  return meta["epoch"].get<int>();
}

ReceptiveFields read_receptive_fields(const std::string& path) {
  Checkpoint ck = read_checkpoint(path);
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(ck.text("meta", path));
  } catch (const nlohmann::json::exception&) {
    throw InputError(path + ": corrupt checkpoint: meta is not valid JSON");
  }
  if (!meta.contains("receptive_fields") || !ck.sections.count("receptive_fields"))
    throw InputError(path +
                     ": checkpoint has no receptive fields (learner = " + meta.value("learner", std::string("bptt")) +
                     "), expected a checkpoint of learner = stdp, vdsp, rstdp or desire");
  ReceptiveFields f;
  try {
    const nlohmann::json& r = meta["receptive_fields"];
    f.count = r.at("count").get<int>(), f.height = r.at("height").get<int>(), f.width = r.at("width").get<int>();
    f.min = r.at("min").get<float>(), f.max = r.at("max").get<float>();
  } catch (const nlohmann::json::exception&) {
    throw InputError(path + ": corrupt checkpoint: meta.receptive_fields lacks count, height, width, min or max");
  }
  f.values = ck.floats("receptive_fields", path);
  if (f.count <= 0 || f.height <= 0 || f.width <= 0 || !(f.max >= f.min) ||
      f.values.size() != size_t(f.count) * f.height * f.width)
    throw InputError(path + ": corrupt checkpoint: receptive_fields holds " + std::to_string(f.values.size()) +
                     " values, expected count x height x width = " + std::to_string(f.count) + " x " +
                     std::to_string(f.height) + " x " + std::to_string(f.width));
  return f;
}

}  // namespace spikeforge
