// Deep and recurrent layers against PyTorch autograd (float64).
// tests/torch/deep_reference.py writes, per case, inputs, parameters, upstream
// gradients, outputs and the gradients autograd finds; this test rebuilds each
// case with the C++ layers (ALIF, AHP, current-based and PLIF neurons with
// refractory periods, recurrent layers with and without truncated BPTT, BNTT,
// tdBN) and compares. Without torch the script exits non-zero and every test
// here FAILS (never skips).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "nn/neuron_layer.h"
#include "nn/recurrent_layer.h"
#include "nn/temporal_batch_norm.h"

using namespace spikeforge;

namespace {

// Tolerance abs + rel |ref|: float32 C++ from float32-exact inputs against the
// float64 reference; sums run over at most a few hundred terms and the decay
// constants (rho = exp(-1/tau), sigmoid(p)) carry one float32 rounding each, so
// relative errors stay around 1e-6; 1e-4 relative (the issue's bound) leaves
// room, and 1e-6 absolute covers gradients that cancel to near zero. Spikes are
// identical by construction (the script keeps every membrane > 1e-4 from its
// threshold) and are compared exactly.
constexpr double kAbsTol = 1e-6;
constexpr double kRelTol = 1e-4;

struct RefCase {
  std::map<std::string, std::string> meta;
  std::map<std::string, std::vector<double>> tensors;
  const std::string& m(const std::string& key) const {
    static const std::string missing = "<missing>";
    auto it = meta.find(key);
    return it == meta.end() ? missing : it->second;
  }
  bool has(const std::string& key) const { return meta.count(key) > 0; }
  int i(const std::string& key) const { return std::stoi(m(key)); }
  float f(const std::string& key) const { return std::stof(m(key)); }
  const std::vector<double>& t(const std::string& name) const {
    static const std::vector<double> empty;
    auto it = tensors.find(name);
    return it == tensors.end() ? empty : it->second;
  }
  std::vector<float> tf(const std::string& name) const {
    const auto& v = t(name);
    return std::vector<float>(v.begin(), v.end());  // exact: the script rounds to float32 first
  }
};

struct ReferenceRun {
  std::filesystem::path dir;
  int status = -1;
  bool keep = false;
  ReferenceRun() {
    dir = std::filesystem::temp_directory_path() / ("spikeforge_torch_deep_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    const std::string cmd =
        "/usr/bin/python3 " SPIKEFORGE_SOURCE_DIR "/tests/torch/deep_reference.py '" + dir.string() + "'";
    const int rc = std::system(cmd.c_str());
    status = (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
  }
  ~ReferenceRun() {
    std::error_code ec;
    if (!keep) std::filesystem::remove_all(dir, ec);
  }
};

ReferenceRun& reference_run() {
  static ReferenceRun run;
  return run;
}

// Format: tests/torch/bptt_reference.py (magic, meta lines, tensor lines, end).
void load_case(const std::string& name, RefCase* c) {
  ReferenceRun& run = reference_run();
  ASSERT_EQ(run.status, 0) << "/usr/bin/python3 tests/torch/deep_reference.py exited with status " << run.status
                           << " (message on stderr above); it needs Debian's python3-torch and numpy";
  const auto path = run.dir / (name + ".txt");
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << ": cannot open";
  std::string magic, tag;
  int version = 0;
  in >> magic >> version;
  ASSERT_EQ(magic, "spikeforge_torch_reference") << path;
  while (in >> tag) {
    if (tag == "end") {
      ASSERT_EQ(c->m("name"), name);
      return;
    }
    if (tag == "meta") {
      std::string key, value;
      in >> key;
      std::getline(in, value);
      const size_t at = value.find_first_not_of(' ');
      c->meta[key] = at == std::string::npos ? "" : value.substr(at);
    } else if (tag == "tensor") {
      std::string tname;
      int ndim = -1;
      in >> tname >> ndim;
      ASSERT_TRUE(in && ndim >= 0) << path << ": tensor header of " << tname;
      int64_t n = 1;
      for (int d = 0; d < ndim; ++d) {
        int64_t k;
        in >> k;
        n *= k;
      }
      std::vector<double> v(n);
      for (auto& x : v) in >> x;
      ASSERT_TRUE(in) << path << ": tensor " << tname << " truncated";
      c->tensors[tname] = std::move(v);
    } else {
      FAIL() << path << ": unexpected token '" << tag << "'";
    }
  }
  FAIL() << path << ": no 'end' line";
}

template <class G>
void expect_close(const std::string& what, const G* got, const std::vector<double>& ref) {
  ASSERT_FALSE(ref.empty()) << what << ": no reference values";
  int64_t worst = -1, bad = 0;
  double worst_excess = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    const double err = std::fabs(double(got[k]) - ref[k]), tol = kAbsTol + kRelTol * std::fabs(ref[k]);
    if (!(err <= tol)) {
      ++bad;
      const double excess = std::isnan(err) ? std::numeric_limits<double>::infinity() : err / tol;
      if (worst < 0 || excess > worst_excess) worst = int64_t(k), worst_excess = excess;
    }
  }
  if (bad > 0)
    ADD_FAILURE() << what << ": " << bad << " of " << ref.size() << " values outside abs " << kAbsTol << " + rel "
                  << kRelTol << "; worst index " << worst << ": C++ " << got[worst] << ", torch " << ref[worst];
}

void expect_equal(const std::string& what, const float* got, const std::vector<double>& ref) {
  ASSERT_FALSE(ref.empty()) << what << ": no reference values";
  int64_t first = -1, bad = 0;
  for (size_t k = 0; k < ref.size(); ++k)
    if (double(got[k]) != ref[k]) {
      if (first < 0) first = int64_t(k);
      ++bad;
    }
  if (bad > 0)
    ADD_FAILURE() << what << ": " << bad << " of " << ref.size() << " differ; first index " << first << ": C++ "
                  << got[first] << ", torch " << ref[first];
}

SpikingParams spiking(const RefCase& c) {
  SpikingParams p;
  p.lif.beta = c.f("beta");
  p.lif.theta = c.f("theta");
  p.lif.reset = parse_reset_kind(c.m("reset"));
  p.lif.detach_reset = c.m("detach_reset") == "1";
  p.surrogate = parse_surrogate_kind(c.m("surrogate"));
  p.surrogate_width = c.f("width");
  return p;
}

NeuronModelParams model_params(const RefCase& c) {
  NeuronModelParams mp;
  if (c.has("tau_adapt")) mp.tau_adapt = c.f("tau_adapt");
  if (c.has("adapt_strength")) mp.adapt_strength = c.f("adapt_strength");
  if (c.has("adapt_fraction")) mp.adapt_fraction = c.f("adapt_fraction");
  if (c.has("alpha")) mp.alpha = c.f("alpha");
  if (c.has("refractory")) mp.refractory = c.i("refractory");
  if (c.has("learn_beta")) mp.learn_beta = parse_learn_beta(c.m("learn_beta"));
  return mp;
}

// The configuration the test name promises is the one the file holds.
void expect_kind(const RefCase& c, const char* kind, const char* reset, bool tin1) {
  EXPECT_EQ(c.m("kind"), kind);
  EXPECT_EQ(c.m("reset"), reset);
  EXPECT_EQ(c.i("Tin") == 1, tin1) << "Tin = " << c.m("Tin");
}

// Standalone NeuronLayer: spikes, dx = d(sum ds * s)/dx and, for PLIF, dL/dp.
void check_neuron(const std::string& name, const char* kind, const char* reset, bool tin1) {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case(name, &c));
  expect_kind(c, kind, reset, tin1);
  const int T = c.i("T"), Tin = c.i("Tin"), B = c.i("B"), F = c.i("F");
  NeuronLayer layer(FeatShape{F, 1, 1}, parse_neuron_model(kind), spiking(c), model_params(c));
  std::vector<float> params(layer.param_count()), grads(layer.param_count(), 0.25f);  // grads accumulate (+=)
  layer.bind(params.data(), grads.data());
  Rng rng(1);
  layer.init_params(InitKind::KaimingUniform, rng);
  if (layer.param_count() > 0) {
    const std::vector<float> p = c.tf("p");
    ASSERT_EQ(p.size(), params.size());
    std::copy(p.begin(), p.end(), params.begin());  // the layer holds views into params
  }
  layer.prepare(Tin, T, B);
  const std::vector<float> x = c.tf("x"), ds = c.tf("ds");
  std::vector<float> s(size_t(T) * B * F, -1.f), dx(x.size(), std::numeric_limits<float>::quiet_NaN());
  layer.forward(x.data(), s.data(), true);
  layer.backward(ds.data(), dx.data());
  expect_equal(name + " spikes", s.data(), c.t("spikes"));
  expect_close(name + " dx", dx.data(), c.t("dx"));
  if (layer.param_count() > 0) {
    for (auto& g : grads) g -= 0.25f;
    expect_close(name + " dp", grads.data(), c.t("dp"));
  }
  if (::testing::Test::HasFailure()) reference_run().keep = true;
}

// RecurrentLayer: spikes, all parameter gradients and dx; with chunks = 2 the
// layer carries its state (truncated BPTT) and the gradients sum over both chunks.
void check_recurrent(const std::string& name, const char* kind, const char* reset, bool tin1) {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case(name, &c));
  expect_kind(c, kind, reset, tin1);
  const int T = c.i("T"), Tin = c.i("Tin"), B = c.i("B"), I = c.i("I"), N = c.i("N"), chunks = c.i("chunks");
  RecurrentLayer layer(FeatShape{I, 1, 1}, RecurrentParams{N, true, false, 0.8f}, parse_neuron_model(kind), spiking(c),
                       model_params(c));
  std::vector<float> params = c.tf("params"), grads(params.size(), 0.f);
  ASSERT_EQ(int64_t(params.size()), layer.param_count());
  layer.bind(params.data(), grads.data());
  layer.prepare(Tin, T, B);
  layer.set_carry_state(chunks > 1);
  layer.reset_state();
  const std::vector<float> x = c.tf("x");  // [chunks * Tin, B, I]
  std::vector<float> dx(x.size(), std::numeric_limits<float>::quiet_NaN());
  for (int k = 0; k < chunks; ++k) {
    const std::string key = std::to_string(k + 1);
    const std::vector<float> ds = c.tf("ds" + key);
    std::vector<float> s(size_t(T) * B * N, -1.f);
    const int64_t off = int64_t(k) * Tin * B * I;
    layer.forward(x.data() + off, s.data(), true);
    layer.backward(ds.data(), dx.data() + off);
    expect_equal(name + " spikes" + key, s.data(), c.t("spikes" + key));
  }
  expect_close(name + " dparams", grads.data(), c.t("dparams"));
  expect_close(name + " dx", dx.data(), c.t("dx"));
  if (::testing::Test::HasFailure()) reference_run().keep = true;
}

// BNTT / tdBN in training mode: output, gradients and the running statistics after one forward.
void check_bn(const std::string& name, const char* kind, bool tin1) {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case(name, &c));
  EXPECT_EQ(c.m("arch"), kind);
  EXPECT_EQ(c.i("Tin") == 1, tin1);
  const int T = c.i("T"), Tin = c.i("Tin"), B = c.i("B");
  const FeatShape shape{c.i("C"), c.i("H"), c.i("W")};
  std::unique_ptr<Layer> layer;
  if (std::string(kind) == "bntt")
    layer = std::make_unique<BatchNormThroughTime>(shape, T, c.i("bias") == 1, c.f("eps"), 0.1f);
  else
    layer = std::make_unique<ThresholdBatchNorm>(shape, c.f("theta"), c.f("alpha"), c.f("eps"), 0.1f);
  std::vector<float> params(layer->param_count()), grads(params.size(), 0.f), buffers(layer->buffer_count());
  layer->bind(params.data(), grads.data());
  layer->bind_buffers(buffers.data());
  Rng rng(1);
  layer->init_params(InitKind::KaimingUniform, rng);  // running mean 0, variance 1
  ASSERT_EQ(params.size(), c.t("params").size());
  const std::vector<float> p = c.tf("params");
  std::copy(p.begin(), p.end(), params.begin());  // the layer holds views into params
  layer->prepare(Tin, T, B);
  const std::vector<float> x = c.tf("x"), R = c.tf("R");
  std::vector<float> y(R.size(), -1.f), dx(x.size(), std::numeric_limits<float>::quiet_NaN());
  layer->forward(x.data(), y.data(), /*train=*/true);
  layer->backward(R.data(), dx.data());
  expect_close(name + " y", y.data(), c.t("y"));
  expect_close(name + " dx", dx.data(), c.t("dx"));
  expect_close(name + " dparams", grads.data(), c.t("dparams"));
  const size_t half = buffers.size() / 2;
  expect_close(name + " running_mean", buffers.data(), c.t("running_mean"));
  expect_close(name + " running_var", buffers.data() + half, c.t("running_var"));
  if (::testing::Test::HasFailure()) reference_run().keep = true;
}

}  // namespace

// Standalone neuron layers, F = 7, B = 3 (nn/neuron_layer.h).
TEST(TorchDeepReference, AlifSoft) { check_neuron("alif_soft", "alif", "soft", false); }
TEST(TorchDeepReference, AlifHardDetachTin1) { check_neuron("alif_hard_detach_tin1", "alif", "hard", true); }
TEST(TorchDeepReference, AlifRefractory) { check_neuron("alif_refractory", "alif", "soft", false); }
TEST(TorchDeepReference, AhpSoft) { check_neuron("ahp_soft", "ahp", "soft", false); }
TEST(TorchDeepReference, AhpHardTin1) { check_neuron("ahp_hard_tin1", "ahp", "hard", true); }
TEST(TorchDeepReference, CubaSoft) { check_neuron("cuba_soft", "cuba", "soft", false); }
TEST(TorchDeepReference, CubaHardDetachTin1) { check_neuron("cuba_hard_detach_tin1", "cuba", "hard", true); }
TEST(TorchDeepReference, PlifPerNeuronRefractory) { check_neuron("plif_neuron_refractory", "lif", "soft", false); }
TEST(TorchDeepReference, PlifPerLayerHardTin1) { check_neuron("plif_layer_hard", "lif", "hard", true); }
// per-layer PLIF runs the tiled LIF scans (nn/neuron_scan.h), per-neuron the row scans
TEST(TorchDeepReference, PlifPerLayerSoft) { check_neuron("plif_layer_soft", "lif", "soft", false); }

// Recurrent layers, I = 5 inputs, N = 6 neurons, B = 3 (nn/recurrent_layer.h).
TEST(TorchDeepReference, RecurrentLif) { check_recurrent("rec_lif", "lif", "soft", false); }
TEST(TorchDeepReference, RecurrentLifHardTin1) { check_recurrent("rec_lif_hard_tin1", "lif", "hard", true); }
TEST(TorchDeepReference, RecurrentAlif) { check_recurrent("rec_alif", "alif", "soft", false); }
TEST(TorchDeepReference, RecurrentAhpPlif) { check_recurrent("rec_ahp_plif", "ahp", "soft", false); }
TEST(TorchDeepReference, RecurrentCuba) { check_recurrent("rec_cuba", "cuba", "soft", false); }
TEST(TorchDeepReference, RecurrentAlifTruncatedBptt) { check_recurrent("rec_alif_tbptt", "alif", "soft", false); }

// Batch normalisation through time, C = 2, 3x3 images, T = 4, B = 3 (nn/temporal_batch_norm.h).
TEST(TorchDeepReference, Bntt) { check_bn("bntt", "bntt", false); }
TEST(TorchDeepReference, BnttTin1) { check_bn("bntt_tin1", "bntt", true); }
TEST(TorchDeepReference, BnttBias) { check_bn("bntt_bias", "bntt", false); }
TEST(TorchDeepReference, Tdbn) { check_bn("tdbn", "tdbn", false); }
