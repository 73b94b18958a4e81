// ANN-to-SNN conversion against the ANN it came from.
//
// The ANN: conv-bn-relu, max pool, conv-relu, conv + residual add of the
// previous spikes, relu, avg pool, linear head, on 8x8 inputs, random weights
// and BatchNorm statistics. Thresholds are calibrated at the 100th percentile
// on the same inputs, so nothing clips.
//
// spikeconverter at T steps (k = 2): the iLIF code of a neuron whose
// accumulated input is z is floor(clip(z / theta, 0, 1 - 2^-T) 2^T) / 2^T of
// theta (nn/ilif_layer.h), so
//  - the first ReLU layer, fed by the analog image, must satisfy
//    a - step <= a_snn <= a with step = theta 2^-T (the floor), element by element;
//  - every ReLU layer must equal the same ANN with each ReLU replaced by the
//    floor-quantised ReLU of that code (ceiling theta (1 - 2^-T), 2^T - 1 levels)
//    up to float rounding, which can move a value across a floor boundary: we
//    allow one step there, on at most 1 % of the elements.
// rate at T = 1000: the read-out over T approaches the ANN's logits (IF rates
// approximate ReLU to about 1/T per layer): within 1 % of the logit range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "convert/ann_to_snn.h"
#include "convert/calibrate.h"
#include "core/error.h"
#include "core/rng.h"
#include "nn/network_builder.h"

using namespace spikeforge;

namespace {

LayerSpec spec(const char* type, const char* name = "", std::vector<std::string> from = {}) {
  LayerSpec s;
  s.type = type;
  s.name = name;
  s.from = std::move(from);
  s.kernel = 3;
  s.stride = 1;
  s.pad = 1;
  return s;
}

std::vector<LayerSpec> ann_specs() {
  auto conv = [](int ch, const char* name) {
    LayerSpec s = spec("conv2d", name);
    s.channels = ch;
    return s;
  };
  auto pool = [](const char* type) {
    LayerSpec s = spec(type);
    s.kernel = 2;
    s.stride = 2;
    s.pad = 0;
    return s;
  };
  LayerSpec head = spec("linear");
  head.units = 5;
  return {conv(4, "c1"),      spec("batchnorm"),  spec("relu", "r1"), pool("maxpool2d"),
          conv(6, "c2"),      spec("relu", "r2"), conv(6, "c3"),      spec("add", "a3", {"r2", "c3"}),
          spec("relu", "r3"), pool("avgpool2d"),  spec("flatten"),    head};
}

struct Fixture {
  std::vector<LayerSpec> specs = ann_specs();
  std::unique_ptr<Network> ann;
  std::vector<float> x, theta;
  int B;

  explicit Fixture(int batch = 24) : B(batch) {
    ann = build_network(specs, NetworkDefaults{}, {1, 8, 8}, "test ann");
    Rng rng(3);
    ann->init_params(InitKind::KaimingUniform, rng);
    // Non-trivial BatchNorm: running mean/var in the flat buffers [mean(C), var(C)],
    // gamma/beta in the parameters right after the first conv's.
    std::vector<float>& buf = ann->buffers();
    for (size_t i = 0; i < buf.size() / 2; ++i)
      buf[i] = rng.uniform(-0.2f, 0.2f), buf[buf.size() / 2 + i] = rng.uniform(0.5f, 2.f);
    const int64_t conv1 = ann->layers()[0]->param_count();
    for (int c = 0; c < 4; ++c)
      ann->params()[conv1 + c] = rng.uniform(0.5f, 1.5f), ann->params()[conv1 + 4 + c] = rng.uniform(-0.1f, 0.3f);
    x.resize(size_t(B) * 64);
    for (auto& v : x) v = rng.uniform(0.f, 1.f);
    theta = calibrate_relu_thresholds(*ann, x.data(), B, 100.0, B);
  }

  // Runs the converted network on x; returns it (for its activations) and the read-out's last step.
  std::unique_ptr<Network> run_snn(const SnnModel& m, std::vector<float>& logits) {
    auto snn = build_network(m.layers, NetworkDefaults{}, {1, 8, 8}, "test snn");
    snn->params() = m.params;
    snn->buffers() = m.buffers;
    snn->prepare(1, m.timesteps, B);
    const float* out = snn->forward(x.data(), false);
    const int K = 5;
    logits.assign(out + int64_t(m.timesteps - 1) * B * K, out + int64_t(m.timesteps) * B * K);
    return snn;
  }
};

int node_named(const std::vector<LayerSpec>& specs, const std::string& name) {
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].name == name) return int(i);
  return -1;
}

}  // namespace

TEST(AnnToSnn, SpikeConverterCodesAreTheFlooredActivations) {
  Fixture f;
  for (int T : {4, 8, 12}) {
    ConvertOptions o;
    o.timesteps = T;
    o.exact_weights = false;  // float weights, as the reference ANN has (fixed point: test_event_engine.cpp)
    SnnModel m = convert_ann(f.specs, *f.ann, f.theta, o, "test");
    EXPECT_EQ(m.latency_timesteps, 4 * T);  // three iLIF layers on the longest path, + 1
    std::vector<float> logits;
    auto snn = f.run_snn(m, logits);

    // The reference: the ANN with each ReLU floor-quantised like the code.
    std::vector<LayerSpec> qspecs = f.specs;
    for (size_t i = 0; i < qspecs.size(); ++i)
      if (qspecs[i].type == "relu") {
        qspecs[i].ceiling = f.theta[i] * float(1.0 - std::ldexp(1.0, -T));
        qspecs[i].levels = (1 << T) - 1;
      }
    auto q = build_network(qspecs, NetworkDefaults{}, {1, 8, 8}, "quantised ann");
    q->params() = f.ann->params();
    q->buffers() = f.ann->buffers();
    q->prepare(1, 1, f.B);
    q->forward(f.x.data(), false);
    f.ann->prepare(1, 1, f.B);
    f.ann->forward(f.x.data(), false);

    for (const char* r : {"r1", "r2", "r3"}) {
      const int ai = node_named(f.specs, r), si = node_named(m.layers, "n" + std::to_string(ai));
      ASSERT_GE(si, 0) << r;
      const double th = f.theta[ai], step = th * std::ldexp(1.0, -T);
      const int64_t n = int64_t(f.B) * f.ann->layers()[ai]->out_shape().size();
      const float* s = snn->act(si);  // [T, B, F] spikes
      int64_t off_by_step = 0;
      for (int64_t e = 0; e < n; ++e) {
        double code = 0;
        for (int j = 0; j < T; ++j) code += s[j * n + e] * std::ldexp(1.0, -(j + 1));
        const double a_snn = th * code, a_q = q->act(ai)[e], a = f.ann->act(ai)[e];
        const double eps = 1e-4 * th;
        if (std::string(r) == "r1") {  // straight from the neuron equations
          ASSERT_LE(a_snn, std::min(a, th * (1 - std::ldexp(1.0, -T))) + eps) << r << " T " << T << " e " << e;
          ASSERT_GE(a_snn, a - step - eps) << r << " T " << T << " e " << e;
        }
        const double d = std::fabs(a_snn - a_q);
        EXPECT_LE(d, step + eps) << r << " T " << T << " e " << e << ": snn " << a_snn << " quantised ann " << a_q;
        off_by_step += d > eps;
      }
      EXPECT_LE(off_by_step, n / 100) << r << " T " << T << ": " << off_by_step << " of " << n << " one step off";
    }
  }
}

TEST(AnnToSnn, RateAtT1000ApproachesTheAnn) {
  Fixture f(/*B=*/120);
  ConvertOptions o;
  o.method = ConvertMethod::Rate;
  o.timesteps = 1000;
  o.rate_input = false;  // the analog image as current: no sampling noise
  SnnModel m = convert_ann(f.specs, *f.ann, f.theta, o, "test");
  EXPECT_EQ(m.latency_timesteps, 1000);
  std::vector<float> logits;
  f.run_snn(m, logits);
  f.ann->prepare(1, 1, f.B);
  const float* ann_out = f.ann->forward(f.x.data(), false);
  float lo = 1e30f, hi = -1e30f;
  for (int i = 0; i < f.B * 5; ++i) lo = std::min(lo, ann_out[i]), hi = std::max(hi, ann_out[i]);
  double abs_err = 0;
  int agree = 0;
  for (int b = 0; b < f.B; ++b) {
    int as = 0, aa = 0;
    for (int k = 0; k < 5; ++k) {
      const float snn = logits[b * 5 + k] / 1000.f;  // the read-out integrates T steps of a current in logit units
      abs_err += std::fabs(snn - ann_out[b * 5 + k]);
      EXPECT_NEAR(snn, ann_out[b * 5 + k], 0.03 * (hi - lo)) << "sample " << b << " class " << k;
      if (logits[b * 5 + k] > logits[b * 5 + as]) as = k;
      if (ann_out[b * 5 + k] > ann_out[b * 5 + aa]) aa = k;
    }
    agree += as == aa;
  }
  EXPECT_LE(abs_err / (f.B * 5), 0.01 * (hi - lo)) << "mean |logit error| over the logit range";
  EXPECT_GE(agree, f.B * 99 / 100) << "predictions that agree with the ANN, of " << f.B;
}

TEST(AnnToSnn, RefusesWhatHasNoSpikingCounterpart) {
  std::vector<LayerSpec> s = {spec("conv2d"), spec("maxpool2d"), spec("relu"), spec("flatten"), spec("linear")};
  s[0].channels = 2;
  s[1].kernel = s[1].stride = 2;
  s[1].pad = 0;
  s[4].units = 3;
  auto ann = build_network(s, NetworkDefaults{}, {1, 4, 4}, "t");
  std::vector<float> theta(s.size(), 1.f);
  try {
    convert_ann(s, *ann, theta, ConvertOptions{}, "m.ckpt");
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("m.ckpt: layers[1] (maxpool2d)"), std::string::npos) << e.what();
  }
}
