#include "convert/ann_to_snn.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/enum_names.h"
#include "core/error.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/network_builder.h"
#include "nn/relu.h"

namespace spikeforge {

static constexpr EnumName<ConvertMethod> kMethods[] = {{"rate", ConvertMethod::Rate},
                                                       {"spikeconverter", ConvertMethod::SpikeConverter}};
ConvertMethod parse_convert_method(const std::string& s) { return parse_enum("method", s, kMethods); }
const char* convert_method_name(ConvertMethod m) { return enum_name(m, kMethods); }

namespace {

// What an ANN tensor is in the SNN.
enum class Kind { Analog, Current, Spikes };

struct Tensor_ {
  Kind kind = Kind::Analog;
  float scale = 1.f;           // Spikes: the ANN value is scale x the decoded code
  bool binary = false;         // Spikes that are exactly 0 or 1 (neuron or max-pool output)
  int depth = 0;               // spiking layers on the longest path from the input
  std::string name = "input";  // the SNN node that holds it
};

// A synaptic layer's weights as they go into the SNN.
struct Synapse {
  std::vector<float> W, b;
  int64_t fan_in = 0;
  bool spike_fed = false;
};

bool is(const LayerSpec& s, const char* t) { return s.type == t; }

class Converter {
 public:
  Converter(const std::vector<LayerSpec>& specs, Network& ann, const std::vector<float>& theta, const ConvertOptions& o,
            const std::string& origin)
      : specs_(specs), ann_(ann), theta_(theta), o_(o), origin_(origin), n_(specs.size()) {
    consumers_.assign(n_, {});
    for (size_t i = 0; i < n_; ++i)
      for (int j : ann.inputs_of(int(i)))
        if (j != Network::kInput) consumers_[j].push_back(int(i));
    if (o.method == ConvertMethod::Rate && o.rate_input) input_ = {Kind::Spikes, 1.f, true, 0, "input"};
    g_ = 1.0;  // rate: a constant current I gives the rate I
    if (o.method == ConvertMethod::SpikeConverter) {
      g_ = 0;  // accumulated, a constant current I gives u = sum_t k^-t I
      for (int t = 1; t <= o.timesteps; ++t) g_ += std::pow(double(o.k), -t);
    }
  }

  SnnModel run();

 private:
  [[noreturn]] void refuse(size_t i, const std::string& why) const {
    throw ShapeError(origin_ + ": layers[" + std::to_string(i) + "] (" + specs_[i].type + ") " + why);
  }
  const Tensor_& in(size_t i, int k = 0) const {
    const int j = ann_.inputs_of(int(i))[k];
    return j == Network::kInput ? input_ : t_[j];
  }
  void compute_targets();
  void emit(LayerSpec s, const std::vector<std::string>& from) {
    s.from = from;
    out_.push_back(std::move(s));
  }
  void synapse(size_t i);
  void neuron(size_t i);
  void add(size_t i);
  void fold_batchnorm(size_t i);
  void fill_params(SnnModel& m);
  void make_exact(Synapse& s) const;

  const std::vector<LayerSpec>& specs_;
  Network& ann_;
  const std::vector<float>& theta_;
  ConvertOptions o_;
  std::string origin_;
  size_t n_;
  double g_ = 1;  // sum over the T accumulation steps of k^-t (rate: 1)
  std::vector<std::vector<int>> consumers_;
  std::vector<float> target_;  // Current nodes: the scale of the neuron they feed
  std::vector<Tensor_> t_;
  Tensor_ input_;  // analog, or Bernoulli spikes at the pixel's rate (scale 1)
  std::vector<LayerSpec> out_;
  std::map<std::string, Synapse> synapses_;  // SNN node name -> its weights
};

// The scale each current-carrying node feeds: that of the ReLU it reaches
// through linear nodes (bn, pooling, flatten, add), or 1 at the output.
void Converter::compute_targets() {
  target_.assign(n_, 1.f);
  for (size_t i = n_; i-- > 0;) {
    if (consumers_[i].empty()) continue;  // the output: scale 1
    const int c = consumers_[i][0];       // currents have one consumer (checked in synapse())
    target_[i] = is(specs_[c], "relu") ? theta_[c] : target_[c];
  }
}

void Converter::fold_batchnorm(size_t i) {
  const int c = ann_.inputs_of(int(i))[0];
  if (c == Network::kInput || !(is(specs_[c], "conv2d") || is(specs_[c], "linear")) || consumers_[c].size() != 1)
    refuse(i, "does not follow a conv2d or linear layer it alone reads, so it cannot be folded");
  auto* bn = dynamic_cast<const BatchNorm*>(ann_.layers()[i].get());
  Synapse& s = synapses_.at(t_[c].name);
  const int64_t O = int64_t(s.b.size()), per = int64_t(s.W.size()) / O;
  const float ts = target_[i];  // the folded synapse feeds what the bn feeds
  for (int64_t o = 0; o < O; ++o) {
    // z = gamma (y - mu) / sqrt(var + eps) + beta, y = W x + b (both already divided by the old target)
    const double a = bn->gamma()[o] / std::sqrt(double(bn->running_var()[o]) + bn->eps());
    const double old = target_[c];
    for (int64_t q = 0; q < per; ++q) s.W[o * per + q] = float(s.W[o * per + q] * old * a / ts);
    s.b[o] = float(((s.b[o] * old * g_ - bn->running_mean()[o]) * a + bn->beta()[o]) / (ts * g_));
  }
  t_[i] = t_[c];
}

// conv2d / linear: W' = W s_in / theta_t, b' = b / (theta_t g); analog input: W' = W / (theta_t g).
void Converter::synapse(size_t i) {
  const Tensor_& x = in(i);
  if (x.kind == Kind::Current) refuse(i, "reads a pre-activation (two synaptic layers without a relu between)");
  if (consumers_[i].size() > 1) refuse(i, "feeds several layers before its relu, expected one");
  Layer* l = ann_.layers()[i].get();
  const float* W;
  const float* b;
  int64_t nw, O;
  if (auto* cv = dynamic_cast<Conv2d*>(l)) {
    W = cv->weight(), b = cv->bias(), O = cv->out_channels(), nw = O * cv->geom().col_rows();
  } else {
    auto* li = dynamic_cast<Linear*>(l);
    W = li->weight(), b = li->bias(), O = li->out_shape().size(), nw = O * li->in_shape().size();
  }
  const double ts = target_[i], s_in = x.kind == Kind::Spikes ? x.scale / ts : 1.0 / (ts * g_);
  Synapse s;
  s.W.resize(nw);
  s.b.assign(O, 0.f);
  for (int64_t e = 0; e < nw; ++e) s.W[e] = float(W[e] * s_in);
  if (b)
    for (int64_t o = 0; o < O; ++o) s.b[o] = float(b[o] / (ts * g_));
  s.fan_in = nw / O;
  s.spike_fed = x.kind == Kind::Spikes && x.binary;
  LayerSpec sp = specs_[i];
  sp.bias = true;  // a folded bn adds one
  sp.name = "n" + std::to_string(i);
  emit(sp, {x.name});
  synapses_[sp.name] = std::move(s);
  t_[i] = {Kind::Current, 1.f, false, x.depth, sp.name};
}

void Converter::neuron(size_t i) {
  const Tensor_& x = in(i);
  if (x.kind != Kind::Current) refuse(i, "does not follow a synaptic layer (conv2d, linear or an add of them)");
  LayerSpec sp;
  sp.name = "n" + std::to_string(i);
  if (o_.method == ConvertMethod::Rate) {
    sp.type = "if";
    sp.threshold = 1.f;
  } else {
    sp.type = "ilif";
    sp.k = o_.k;
    sp.threshold = float(std::pow(double(o_.k), o_.timesteps));
  }
  emit(sp, {x.name});
  t_[i] = {Kind::Spikes, theta_[i], true, x.depth + 1, sp.name};
}

// a + b: currents add; a spike train joins a current through scale theta_h / theta_t.
void Converter::add(size_t i) {
  std::vector<std::string> from;
  int depth = 0;
  for (int k = 0; k < 2; ++k) {
    const Tensor_& x = in(i, k);
    depth = std::max(depth, x.depth);
    if (x.kind == Kind::Current) {
      from.push_back(x.name);
      continue;
    }
    if (x.kind == Kind::Analog) refuse(i, "adds the analog input, expected currents or spike trains");
    LayerSpec sc;
    sc.type = "scale";
    sc.name = "s" + std::to_string(i) + "_" + std::to_string(k);
    // rate: a spike rate r (value r theta_h) joins a current in units of theta_t;
    // spikeconverter: the spike at step j enters the accumulation like a current, decoded with k^-j.
    sc.factor = float(double(x.scale) / target_[i]);
    emit(sc, {x.name});
    from.push_back(sc.name);
  }
  if (in(i, 0).kind != Kind::Current && in(i, 1).kind != Kind::Current)
    refuse(i, "adds two spike trains, expected at least one current (a conv2d/linear branch)");
  LayerSpec sp = specs_[i];
  sp.name = "n" + std::to_string(i);
  emit(sp, from);
  t_[i] = {Kind::Current, 1.f, false, depth, sp.name};
}

// Fixed point so that every partial sum is exact in float32 (see the header).
void Converter::make_exact(Synapse& s) const {
  float wmax = 0, bmax = 0;
  for (float w : s.W) wmax = std::max(wmax, std::fabs(w));
  for (float b : s.b) bmax = std::max(bmax, std::fabs(b));
  if (wmax == 0) return;
  const double limit = double(1 << 24) - 1;
  for (int bits = 16; bits >= 2; --bits) {
    const double delta = std::ldexp(1.0, int(std::ceil(std::log2(wmax))) - bits + 1);  // |w| / delta <= 2^(bits-1)
    const double wint = std::ceil(wmax / delta), bint = std::ceil(bmax / delta);
    if (double(s.fan_in) * wint + bint > limit) continue;
    for (float& w : s.W) w = float(std::nearbyint(w / delta) * delta);
    for (float& b : s.b) b = float(std::nearbyint(b / delta) * delta);
    return;
  }
  throw InternalError("make_exact: fan-in " + std::to_string(s.fan_in) + " too large for exact float32 sums");
}

void Converter::fill_params(SnnModel& m) {
  NetworkDefaults d;
  auto snn = build_network(m.layers, d, ann_.input_shape(), origin_ + " (converted)");
  for (size_t i = 0; i < snn->layers().size(); ++i) {
    auto it = synapses_.find(m.layers[i].name);
    if (it == synapses_.end()) continue;
    Synapse& s = it->second;
    if (o_.exact_weights && s.spike_fed) make_exact(s);
    Layer* l = snn->layers()[i].get();
    float* W = nullptr;
    float* b = nullptr;
    if (auto* cv = dynamic_cast<Conv2d*>(l))
      W = cv->weight(), b = cv->bias();
    else if (auto* li = dynamic_cast<Linear*>(l))
      W = li->weight(), b = li->bias();
    if (!W || !b) throw InternalError("fill_params: synapse " + m.layers[i].name + " has no weight or bias");
    std::copy(s.W.begin(), s.W.end(), W);
    std::copy(s.b.begin(), s.b.end(), b);
  }
  m.params = snn->params();
  m.buffers = snn->buffers();
}

SnnModel Converter::run() {
  compute_targets();
  t_.assign(n_, {});
  for (size_t i = 0; i < n_; ++i) {
    const LayerSpec& s = specs_[i];
    if (is(s, "conv2d") || is(s, "linear")) {
      synapse(i);
    } else if (is(s, "batchnorm")) {
      fold_batchnorm(i);
    } else if (is(s, "relu")) {
      neuron(i);
    } else if (is(s, "add")) {
      add(i);
    } else if (is(s, "dropout")) {
      t_[i] = in(i);
    } else if (is(s, "flatten")) {
      LayerSpec sp = s;
      sp.name = "n" + std::to_string(i);
      emit(sp, {in(i).name});
      t_[i] = in(i);
      t_[i].name = sp.name;
    } else if (is(s, "maxpool2d")) {
      if (in(i).kind != Kind::Spikes || !in(i).binary)
        refuse(i, "pools a pre-activation, expected it after a relu (max and relu commute: move it there)");
      LayerSpec sp = s;
      sp.type = "spike_maxpool";
      sp.mode = o_.method == ConvertMethod::Rate ? "count" : "msb_first";
      sp.name = "n" + std::to_string(i);
      emit(sp, {in(i).name});
      t_[i] = in(i);
      t_[i].name = sp.name;
    } else if (is(s, "avgpool2d") || is(s, "global_avgpool")) {
      if (in(i).kind == Kind::Analog) refuse(i, "pools the analog input, expected spikes or currents");
      LayerSpec sp = s;
      sp.name = "n" + std::to_string(i);
      emit(sp, {in(i).name});
      t_[i] = in(i);
      t_[i].binary = false;  // averages of spikes
      t_[i].name = sp.name;
    } else if (is(s, "normalize")) {
      if (in(i).kind != Kind::Analog)
        refuse(i, "is not at the analog input (rate-coded input spikes cannot be normalised: use --input-coding direct)");
      LayerSpec sp = s;
      sp.name = "n" + std::to_string(i);
      emit(sp, {in(i).name});
      t_[i] = in(i);
      t_[i].name = sp.name;
    } else {
      refuse(i,
             "has no spiking counterpart; convertible: conv2d, linear, batchnorm, relu, maxpool2d, "
             "avgpool2d, global_avgpool, flatten, dropout, add, normalize");
    }
  }
  const Tensor_& last = t_.back();
  if (last.kind != Kind::Current)
    throw ShapeError(origin_ + ": the last layer (" + specs_.back().type +
                     ") is not a synaptic layer, expected a conv2d/linear head to read out");
  SnnModel m;
  LayerSpec ro;
  ro.type = "readout";
  ro.name = "readout";
  m.readout_beta = o_.method == ConvertMethod::Rate ? 1.f : o_.k;
  ro.beta = m.readout_beta;
  emit(ro, {last.name});
  m.layers = out_;
  m.timesteps = o_.timesteps;
  m.latency_timesteps = o_.method == ConvertMethod::Rate ? o_.timesteps : (last.depth + 1) * o_.timesteps;
  m.rate_input = o_.method == ConvertMethod::Rate && o_.rate_input;
  fill_params(m);
  return m;
}

}  // namespace

SnnModel convert_ann(const std::vector<LayerSpec>& ann_specs, Network& ann, const std::vector<float>& theta,
                     const ConvertOptions& o, const std::string& origin) {
  if (ann_specs.size() != ann.layers().size() || theta.size() != ann.layers().size())
    throw InternalError("convert_ann: specs, network and thresholds disagree in size");
  // iLIF membranes grow as k^T: beyond 64 steps float32 runs out of range.
  const int tmax = o.method == ConvertMethod::SpikeConverter ? 64 : 100000;
  if (o.timesteps < 1 || o.timesteps > tmax)
    throw ConfigError(origin + ": timesteps = " + std::to_string(o.timesteps) + ", expected an integer in [1, " +
                      std::to_string(tmax) + "] for " + convert_method_name(o.method));
  if (o.method == ConvertMethod::SpikeConverter && !(o.k >= 1.f && o.k <= 4.f))
    throw ConfigError(origin + ": k = " + std::to_string(o.k) + ", expected a number in [1, 4]");
  return Converter(ann_specs, ann, theta, o, origin).run();
}

}  // namespace spikeforge
