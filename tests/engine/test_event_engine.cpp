// The event-driven engine against the dense engine on the same network:
// spike for spike, output for output, and the same SynOp counts; SynOps
// against a hand count.
//
// Identity is exact, not approximate, where synaptic sums are exact in
// float32: converted networks (fixed-point weights, convert/ann_to_snn.h) and
// networks with small integer-times-power-of-two weights (as STYLE.md asks).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "convert/ann_to_snn.h"
#include "convert/calibrate.h"
#include "core/rng.h"
#include "engine/dense_engine.h"
#include "engine/event_engine.h"
#include "nn/linear.h"
#include "nn/network_builder.h"

using namespace spikeforge;

namespace {

LayerSpec spec(const char* type, int n = 0) {
  LayerSpec s;
  s.type = type;
  s.units = s.channels = n;
  s.kernel = 3;
  s.stride = 1;
  s.pad = 1;
  return s;
}

LayerSpec pool(const char* type) {
  LayerSpec s = spec(type);
  s.kernel = s.stride = 2;
  s.pad = 0;
  return s;
}

// Runs both engines; expects every node's output bitwise equal; returns the outputs' node count checked.
void expect_same_run(Network& net, bool input_spikes, const std::vector<float>& x, int Tin, int T, int B) {
  DenseEngine dense(net, input_spikes);
  dense.run(x.data(), Tin, T, B);
  std::vector<std::vector<float>> ref(net.layers().size());
  for (size_t i = 0; i < ref.size(); ++i) {
    const int64_t n = int64_t(net.steps_of(int(i))) * B * net.layers()[i]->out_shape().size();
    ref[i].assign(net.act(int(i)), net.act(int(i)) + n);
  }
  const auto dense_rates = dense.rates();
  EventEngine event(net, input_spikes);
  EXPECT_GT(event.event_nodes(), 0);
  event.run(x.data(), Tin, T, B);
  for (size_t i = 0; i < ref.size(); ++i) {
    const float* got = net.act(int(i));
    for (size_t e = 0; e < ref[i].size(); ++e)
      ASSERT_EQ(std::memcmp(&got[e], &ref[i][e], sizeof(float)), 0)
          << "node " << i << " (" << net.layers()[i]->kind() << ") element " << e << ": event " << got[e] << ", dense "
          << ref[i][e];
  }
  EXPECT_EQ(event.synops(), dense.synops());
  EXPECT_GT(event.synops(), 0.0);
  const auto event_rates = event.rates();
  ASSERT_EQ(event_rates.size(), dense_rates.size());
  for (size_t k = 0; k < event_rates.size(); ++k) EXPECT_EQ(event_rates[k].second, dense_rates[k].second);
}

}  // namespace

// A LIF conv net of the BPTT kind, weights k / 16 with small integers k, so
// every current is exact; rate-coded (spike) input, so the first conv is
// event-driven too.
TEST(EventEngine, LifNetworkIntegerWeightsSpikeForSpike) {
  std::vector<LayerSpec> s = {spec("conv2d", 4), spec("lif"),     pool("maxpool2d"), spec("conv2d", 6),
                              spec("lif"),       spec("flatten"), spec("linear", 5), spec("readout")};
  NetworkDefaults d;
  d.spiking.lif.beta = 0.75f;  // exact in binary, so membranes stay exact too
  auto net = build_network(s, d, {2, 8, 8}, "test");
  Rng rng(1);
  for (float& p : net->params()) p = float(int(rng.below(9)) - 3) / 16.f;
  const int T = 6, B = 5;
  std::vector<float> x(size_t(T) * B * 128);
  for (auto& v : x) v = rng.uniform() < 0.3f ? 1.f : 0.f;
  expect_same_run(*net, /*input_spikes=*/true, x, T, T, B);
}

// Converted networks (fixed-point weights, float thresholds and biases):
// SpikeConverter with analog input, and rate with Bernoulli input.
TEST(EventEngine, ConvertedNetworksSpikeForSpike) {
  std::vector<LayerSpec> s = {spec("conv2d", 4), spec("relu"),    pool("maxpool2d"), spec("conv2d", 6),
                              spec("relu"),      spec("flatten"), spec("linear", 5)};
  auto ann = build_network(s, NetworkDefaults{}, {1, 8, 8}, "ann");
  Rng rng(2);
  ann->init_params(InitKind::KaimingUniform, rng);
  const int B = 6;
  std::vector<float> img(size_t(B) * 64);
  for (auto& v : img) v = rng.uniform();
  const std::vector<float> theta = calibrate_relu_thresholds(*ann, img.data(), B, 99.0, B);
  for (ConvertMethod method : {ConvertMethod::SpikeConverter, ConvertMethod::Rate}) {
    ConvertOptions o;
    o.method = method;
    o.timesteps = method == ConvertMethod::Rate ? 40 : 8;
    SnnModel m = convert_ann(s, *ann, theta, o, "ann");
    auto snn = build_network(m.layers, NetworkDefaults{}, {1, 8, 8}, "snn");
    snn->params() = m.params;
    const int T = m.timesteps, Tin = m.rate_input ? T : 1;
    std::vector<float> x(size_t(Tin) * B * 64);
    for (int t = 0; t < Tin; ++t)
      for (int e = 0; e < B * 64; ++e)
        x[size_t(t) * B * 64 + e] = m.rate_input ? (rng.uniform() < img[e] ? 1.f : 0.f) : img[e];
    SCOPED_TRACE(convert_method_name(method));
    expect_same_run(*snn, m.rate_input, x, Tin, T, B);
  }
}

// linear 4 -> 3 on spike rows: SynOps = 3 per input spike.
TEST(EventEngine, SynOpsHandCount) {
  Network net({4, 1, 1});
  net.add(std::make_unique<Linear>(FeatShape{4, 1, 1}, 3));
  net.finalize();
  for (size_t i = 0; i < net.params().size(); ++i) net.params()[i] = float(i);
  const std::vector<float> x = {1, 0, 1, 1,   // 3 spikes
                                0, 0, 0, 1};  // 1 spike
  EventEngine event(net, true);
  const float* y = event.run(x.data(), 1, 1, 2);
  EXPECT_EQ(event.synops(), 12.0);
  // y[b, o] = b[o] + sum of W[o, i] over spiking i; W[o, i] = 4 o + i, b[o] = 12 + o
  EXPECT_EQ(y[0], 12.f + 0 + 2 + 3);
  EXPECT_EQ(y[4], 13.f + 7);
}
