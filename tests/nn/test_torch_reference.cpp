// Surrogate-gradient BPTT against PyTorch autograd (float64).
// tests/torch/bptt_reference.py writes, per case, the input, labels, parameters
// (C++ flat order), loss, output, hidden spikes and the gradients of the loss
// w.r.t. every parameter and the input; this test rebuilds each case with the
// C++ API and compares. Without torch the script exits non-zero and every test
// here FAILS (never skips).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "nn/avg_pool2d.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/leaky_readout.h"
#include "nn/lif_layer.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/max_pool2d.h"
#include "nn/network.h"

using namespace spikeforge;

namespace {

// Tolerance abs + rel * |ref|: C++ runs in float32 (eps 6e-8) from the same
// float32-exact inputs and parameters as the float64 reference; sums run over
// at most a few hundred terms and the surrogate is evaluated at float32
// membranes, so relative errors stay far below 1e-4; the 1e-6 absolute floor
// covers gradients that cancel to near zero. The spike pattern is identical by
// construction (the script keeps every membrane > 1e-4 from theta), so spikes
// are compared exactly.
constexpr double kAbsTol = 1e-6;
constexpr double kRelTol = 1e-4;

// One case file written by bptt_reference.py (format documented atop the script).
struct RefCase {
  std::map<std::string, std::string> meta;
  std::map<std::string, std::vector<double>> tensors;
  std::map<std::string, std::vector<int64_t>> shapes;

  const std::string& m(const std::string& key) const {
    static const std::string missing = "<missing>";
    auto it = meta.find(key);
    return it == meta.end() ? missing : it->second;
  }
  int meta_int(const std::string& key) const { return std::stoi(m(key)); }
  float meta_float(const std::string& key) const { return std::stof(m(key)); }
  const std::vector<double>& t(const std::string& name) const {
    static const std::vector<double> empty;
    auto it = tensors.find(name);
    return it == tensors.end() ? empty : it->second;
  }
  std::vector<float> t_float(const std::string& name) const {
    const auto& v = t(name);
    return std::vector<float>(v.begin(), v.end());  // exact: the script rounds to float32 first
  }
};

// Runs the reference script once per process into a private temporary
// directory, removed at exit unless a comparison failed.
struct ReferenceRun {
  std::filesystem::path dir;
  int status = -1;  // exit status of the script, or -1 if it did not exit normally
  bool keep = false;

  ReferenceRun() {
    dir = std::filesystem::temp_directory_path() / ("spikeforge_torch_ref_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    const std::string cmd =
        "/usr/bin/python3 " SPIKEFORGE_SOURCE_DIR "/tests/torch/bptt_reference.py '" + dir.string() + "'";
    int rc = std::system(cmd.c_str());
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

void parse_case(const std::filesystem::path& path, RefCase* c) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << ": cannot open (did bptt_reference.py write it?)";
  std::string magic;
  int version = 0;
  in >> magic >> version;
  ASSERT_EQ(magic, "spikeforge_torch_reference") << path;
  ASSERT_EQ(version, 1) << path;
  std::string tag;
  while (in >> tag) {
    if (tag == "end") return;
    if (tag == "meta") {
      std::string key, value;
      in >> key;
      std::getline(in, value);
      const size_t start = value.find_first_not_of(' ');
      c->meta[key] = start == std::string::npos ? "" : value.substr(start);
    } else if (tag == "tensor") {
      std::string name;
      int ndim = -1;
      in >> name >> ndim;
      ASSERT_TRUE(in && ndim >= 0) << path << ": tensor header of " << name;
      std::vector<int64_t> shape(ndim);
      int64_t n = 1;
      for (auto& d : shape) in >> d, n *= d;
      std::vector<double> v(n);
      for (auto& x : v) in >> x;
      ASSERT_TRUE(in) << path << ": tensor " << name << " truncated, expected " << n << " values";
      c->shapes[name] = shape;
      c->tensors[name] = std::move(v);
    } else {
      FAIL() << path << ": unexpected token '" << tag << "'";
    }
  }
  FAIL() << path << ": no 'end' line";
}

// Loads a case; fails (never skips) if the script failed, e.g. without torch.
void load_case(const std::string& name, RefCase* c) {
  ReferenceRun& run = reference_run();
  ASSERT_EQ(run.status, 0) << "/usr/bin/python3 tests/torch/bptt_reference.py exited with status " << run.status
                           << " (message on stderr above); it needs Debian's python3-torch and numpy";
  ASSERT_NO_FATAL_FAILURE(parse_case(run.dir / (name + ".txt"), c));
  ASSERT_EQ(c->m("name"), name);
}

// The configuration the test name promises is the one the file holds.
void expect_config(const RefCase& c, const char* surrogate, const char* reset, bool detach_reset, bool tin1) {
  EXPECT_EQ(c.m("surrogate"), surrogate);
  EXPECT_EQ(c.m("reset"), reset);
  EXPECT_EQ(c.m("detach_reset"), detach_reset ? "1" : "0");
  EXPECT_EQ(c.meta_int("Tin") == 1, tin1) << "Tin = " << c.m("Tin");
}

SpikingParams spiking_params(const RefCase& c) {
  SpikingParams p;
  p.lif.beta = c.meta_float("beta");
  p.lif.theta = c.meta_float("theta");
  p.lif.reset = parse_reset_kind(c.m("reset"));
  p.lif.detach_reset = c.m("detach_reset") == "1";
  p.surrogate = parse_surrogate_kind(c.m("surrogate"));
  p.surrogate_width = c.meta_float("width");
  return p;
}

// |got - ref| <= kAbsTol + kRelTol |ref| everywhere; else prints the worst index and both values.
template <class G>  // float (C++ buffers) or double (the loss)
void expect_close(const std::string& what, const G* got, const std::vector<double>& ref) {
  int64_t worst = -1, bad = 0;
  double worst_excess = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double err = std::fabs(double(got[i]) - ref[i]);
    const double tol = kAbsTol + kRelTol * std::fabs(ref[i]);
    if (!(err <= tol)) {  // NaN fails too
      ++bad;
      const double excess = std::isnan(err) ? std::numeric_limits<double>::infinity() : err / tol;
      if (worst < 0 || excess > worst_excess) worst = int64_t(i), worst_excess = excess;
    }
  }
  if (bad > 0)
    ADD_FAILURE() << what << ": " << bad << " of " << ref.size() << " values outside abs " << kAbsTol << " + rel "
                  << kRelTol << "; worst index " << worst << ": C++ " << got[worst] << ", torch " << ref[worst]
                  << " (error " << worst_excess << "x tolerance)";
}

// Spikes must agree exactly; else prints the first differing index and both values.
void expect_equal(const std::string& what, const float* got, const std::vector<double>& ref) {
  int64_t first = -1, bad = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    if (double(got[i]) != ref[i]) {
      if (first < 0) first = int64_t(i);
      ++bad;
    }
  if (bad > 0)
    ADD_FAILURE() << what << ": " << bad << " of " << ref.size() << " values differ; first index " << first << ": C++ "
                  << got[first] << ", torch " << ref[first];
}

void build_network(const RefCase& c, Network& net) {
  const SpikingParams sp = spiking_params(c);
  if (c.m("arch") == "mlp") {
    net.add(std::make_unique<Linear>(net.last_shape(), 16));
    net.add(std::make_unique<LifLayer>(net.last_shape(), sp, false));
    net.add(std::make_unique<Linear>(net.last_shape(), 5));
    net.add(std::make_unique<LifLayer>(net.last_shape(), sp, false));
  } else {
    net.add(std::make_unique<Conv2d>(net.last_shape(), 4, 3, 1, 1));
    net.add(std::make_unique<LifLayer>(net.last_shape(), sp, false));
    net.add(std::make_unique<MaxPool2d>(net.last_shape(), 2, 2));
    net.add(std::make_unique<Conv2d>(net.last_shape(), 6, 3, 1, 1));
    net.add(std::make_unique<LifLayer>(net.last_shape(), sp, false));
    net.add(std::make_unique<AvgPool2d>(net.last_shape(), 2, 2));
    net.add(std::make_unique<Flatten>(net.last_shape()));
    net.add(std::make_unique<Linear>(net.last_shape(), 5));
    net.add(std::make_unique<LeakyReadout>(net.last_shape(), c.meta_float("readout_beta")));
  }
  net.finalize();
}

// Network case: forward, loss, backward through the public Network API, then a
// layer-by-layer pass (Network::backward gives the first layer din = nullptr)
// for the hidden spikes and the gradient w.r.t. the input.
void check_network_case(const std::string& name, const char* surrogate, const char* reset, bool detach, bool tin1) {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case(name, &c));
  expect_config(c, surrogate, reset, detach, tin1);
  const bool mlp = c.m("arch") == "mlp";
  ASSERT_TRUE(mlp || c.m("arch") == "conv") << c.m("arch");
  const int T = c.meta_int("T"), Tin = c.meta_int("Tin"), B = c.meta_int("B"), K = c.meta_int("K");
  const FeatShape in_shape = mlp ? FeatShape{20, 1, 1} : FeatShape{1, 8, 8};
  Network net(in_shape);
  build_network(c, net);

  const std::vector<float> x = c.t_float("x");  // [Tin, B, in]
  const auto& labels_d = c.t("labels");         // [B]
  const std::vector<int> labels(labels_d.begin(), labels_d.end());
  ASSERT_EQ(int64_t(x.size()), int64_t(Tin) * B * in_shape.size());
  ASSERT_EQ(int(labels.size()), B);
  ASSERT_EQ(net.params().size(), c.t("params").size()) << "parameter count";
  const std::vector<float> params = c.t_float("params");
  std::copy(params.begin(), params.end(), net.params().begin());

  net.prepare(Tin, T, B);
  ASSERT_EQ(net.out_steps(), T);
  ASSERT_EQ(net.output_shape().size(), K);
  const float* out = net.forward(x.data(), /*train=*/true);  // [T, B, K]
  std::vector<float> dout(size_t(T) * B * K);                // [T, B, K]
  LossParams lp;
  lp.kind = parse_loss_kind(c.m("loss"));
  const LossResult lr = loss_forward_backward(lp, out, T, B, K, labels.data(), dout.data());
  net.zero_grad();
  net.backward(dout.data());

  expect_close(name + " loss", &lr.loss, c.t("loss"));
  if (mlp)
    expect_equal(name + " output spikes", out, c.t("out"));
  else
    expect_close(name + " output membrane", out, c.t("out"));
  expect_close(name + " dparams", net.grads().data(), c.t("dparams"));

  // Layer by layer: acts[i] [steps_i, B, out_i], dacts[i] the same; dx [Tin, B, in].
  auto& layers = net.layers();
  std::vector<std::vector<float>> acts(layers.size()), dacts(layers.size());
  int steps = Tin;
  for (size_t i = 0; i < layers.size(); ++i) {
    steps = layers[i]->out_steps(steps, T);
    acts[i].assign(size_t(steps) * B * layers[i]->out_shape().size(), 0.f);
    dacts[i].assign(acts[i].size(), 0.f);
  }
  const float* a = x.data();
  for (size_t i = 0; i < layers.size(); ++i) layers[i]->forward(a, acts[i].data(), true), a = acts[i].data();
  int spiking = 0;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i]->spiking()) {
      const std::string key = "spikes" + std::to_string(++spiking);
      ASSERT_EQ(acts[i].size(), c.t(key).size()) << key;
      expect_equal(name + " " + key + " (layer " + std::to_string(i) + ")", acts[i].data(), c.t(key));
    }
  ASSERT_EQ(spiking, 2);
  std::vector<float> dx(x.size(), std::numeric_limits<float>::quiet_NaN());  // must be overwritten
  const float* d = dout.data();
  net.zero_grad();
  for (size_t i = layers.size(); i-- > 0;) {
    float* din = i > 0 ? dacts[i - 1].data() : dx.data();
    layers[i]->backward(d, din);
    d = din;
  }
  ASSERT_EQ(dx.size(), c.t("dx").size());
  expect_close(name + " dx", dx.data(), c.t("dx"));
  if (::testing::Test::HasFailure()) reference_run().keep = true;
}

// Standalone LifLayer: spikes and dx = d(sum ds * s)/dx for a random upstream ds.
void check_lif_case(const std::string& name, const char* surrogate, const char* reset, bool detach, bool tin1) {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case(name, &c));
  expect_config(c, surrogate, reset, detach, tin1);
  ASSERT_EQ(c.m("arch"), "lif_layer");
  const int T = c.meta_int("T"), Tin = c.meta_int("Tin"), B = c.meta_int("B");
  const int F = int(c.shapes.at("x").back());
  LifLayer layer(FeatShape{F, 1, 1}, spiking_params(c), false);
  layer.prepare(Tin, T, B);
  const std::vector<float> x = c.t_float("x");    // [Tin, B, F]
  const std::vector<float> ds = c.t_float("ds");  // [T, B, F]
  ASSERT_EQ(int64_t(x.size()), int64_t(Tin) * B * F);
  ASSERT_EQ(int64_t(ds.size()), int64_t(T) * B * F);
  std::vector<float> s(ds.size(), -1.f);                                     // [T, B, F]
  std::vector<float> dx(x.size(), std::numeric_limits<float>::quiet_NaN());  // [Tin, B, F], must be overwritten
  layer.forward(x.data(), s.data(), true);
  layer.backward(ds.data(), dx.data());
  expect_equal(name + " spikes", s.data(), c.t("spikes"));
  expect_close(name + " dx", dx.data(), c.t("dx"));
  if (::testing::Test::HasFailure()) reference_run().keep = true;
}

}  // namespace

// 2-layer LIF MLP, Linear(20->16)+LIF, Linear(16->5)+LIF, T = 6, B = 3, ce_count.
TEST(TorchReference, MlpLifArctanSoft) { check_network_case("mlp_arctan_soft", "arctan", "soft", false, false); }
TEST(TorchReference, MlpLifFastSigmoidHard) {
  check_network_case("mlp_fast_sigmoid_hard", "fast_sigmoid", "hard", false, false);
}
TEST(TorchReference, MlpLifTriangleSoftDetach) {
  check_network_case("mlp_triangle_soft_detach", "triangle", "soft", true, false);
}
TEST(TorchReference, MlpLifArctanHardDetach) {
  check_network_case("mlp_arctan_hard_detach", "arctan", "hard", true, false);
}
TEST(TorchReference, MlpLifTriangleHardTin1) {
  check_network_case("mlp_triangle_hard_tin1", "triangle", "hard", false, true);
}

// Conv SNN, Conv(1->4)+LIF, MaxPool 2, Conv(4->6)+LIF, AvgPool 2, Flatten, Linear(24->5), leaky readout;
// input 1x8x8, T = 4, B = 2, ce_mem_mean.
TEST(TorchReference, ConvArctanSoft) { check_network_case("conv_arctan_soft", "arctan", "soft", false, false); }
TEST(TorchReference, ConvTriangleHardDetach) {
  check_network_case("conv_triangle_hard_detach", "triangle", "hard", true, false);
}
TEST(TorchReference, ConvFastSigmoidSoftDetachTin1) {
  check_network_case("conv_fast_sigmoid_soft_detach_tin1", "fast_sigmoid", "soft", true, true);
}

// Standalone LifLayer, F = 7, T = 8, B = 3; Tin = 1 repeats x every step and sums dx over t.
TEST(TorchReference, LifLayerFastSigmoidSoft) {
  check_lif_case("lif_fast_sigmoid_soft", "fast_sigmoid", "soft", false, false);
}
TEST(TorchReference, LifLayerTriangleHard) { check_lif_case("lif_triangle_hard", "triangle", "hard", false, false); }
TEST(TorchReference, LifLayerArctanSoftDetachTin1) {
  check_lif_case("lif_arctan_soft_detach_tin1", "arctan", "soft", true, true);
}
TEST(TorchReference, LifLayerFastSigmoidHardDetachTin1) {
  check_lif_case("lif_fast_sigmoid_hard_detach_tin1", "fast_sigmoid", "hard", true, true);
}
