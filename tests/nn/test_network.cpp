// The network graph: skip connections, gradient sums over several consumers,
// view layers sharing their input's buffers, and shape errors at build time.
//
// Reference: a graph network's backward against double-precision central
// differences of L = sum(out * R), R fixed; stateless layers only, so the
// loss is smooth (see test_gradients.cpp for the tolerance reasoning: the same
// float32 forward and h).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "../check_close.h"
#include "core/error.h"
#include "core/rng.h"
#include "nn/add.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/network.h"

using namespace spikeforge;
using spikeforge::test::all_close;

namespace {

double loss_of(Network& net, const std::vector<float>& x, const std::vector<float>& R) {
  const float* out = net.forward(x.data(), true);
  double s = 0;
  for (size_t i = 0; i < R.size(); ++i) s += double(out[i]) * R[i];
  return s;
}

// Checks the network's parameter gradients against central differences.
void check_network_gradients(Network& net, int Tin, int T, int B, uint64_t seed) {
  Rng rng(seed);
  net.init_params(InitKind::KaimingUniform, rng);
  net.prepare(Tin, T, B);
  std::vector<float> x(size_t(int64_t(Tin) * B * net.input_shape().size()));
  for (auto& v : x) v = rng.uniform(-1.f, 1.f);
  std::vector<float> R(size_t(int64_t(net.out_steps()) * B * net.output_shape().size()));
  for (auto& v : R) v = rng.uniform(-1.f, 1.f);
  net.forward(x.data(), true);
  net.zero_grad();
  net.backward(R.data());
  std::vector<float> analytic = net.grads();
  std::vector<double> numeric(analytic.size());
  auto& p = net.params();
  const double h = 1e-2;
  for (size_t i = 0; i < p.size(); ++i) {
    const float saved = p[i], xp = float(saved + h), xm = float(saved - h);
    p[i] = xp;
    const double lp = loss_of(net, x, R);
    p[i] = xm;
    const double lm = loss_of(net, x, R);
    p[i] = saved;
    numeric[i] = (lp - lm) / (double(xp) - double(xm));
  }
  EXPECT_TRUE(all_close("network dparams", analytic.data(), numeric.data(), numeric.size(), 2e-3, 2e-2));
}

}  // namespace

// x -> a = L1(x) -> b = L2(a) -> c = a + b -> L3(c): node a has two consumers,
// so its gradient is the sum of the Add's and L2's contributions.
TEST(Network, ResidualGradientSumsBothPaths) {
  Network net({5, 1, 1});
  const int a = net.add(std::make_unique<Linear>(FeatShape{5, 1, 1}, 4));
  const int b = net.add(std::make_unique<Linear>(FeatShape{4, 1, 1}, 4));
  net.add(std::make_unique<Add>(FeatShape{4, 1, 1}), {a, b});
  net.add(std::make_unique<Linear>(FeatShape{4, 1, 1}, 3));
  net.finalize();
  check_network_gradients(net, 2, 2, 3, 1);
}

// The skip enters the Add first and the long path second, and a Flatten view
// sits on a node read once (aliased) while the conv output is read twice.
TEST(Network, SkipFromConvWithFlattenView) {
  Network net({1, 4, 4});
  const int c0 = net.add(std::make_unique<Conv2d>(FeatShape{1, 4, 4}, 2, 3, 1, 1));
  const int c1 = net.add(std::make_unique<Conv2d>(FeatShape{2, 4, 4}, 2, 3, 1, 1));
  const int s = net.add(std::make_unique<Add>(FeatShape{2, 4, 4}), {c0, c1});
  net.add(std::make_unique<Flatten>(FeatShape{2, 4, 4}), {s});
  net.add(std::make_unique<Linear>(FeatShape{32, 1, 1}, 3));
  net.finalize();
  check_network_gradients(net, 1, 3, 2, 2);
}

// An aliased Flatten returns its input's bytes: the same outputs as a copy.
TEST(Network, FlattenViewOutputsEqualInput) {
  Network net({2, 3, 3});
  net.add(std::make_unique<Conv2d>(FeatShape{2, 3, 3}, 2, 3, 1, 1));
  net.add(std::make_unique<Flatten>(FeatShape{2, 3, 3}));
  net.finalize();
  Rng rng(3);
  net.init_params(InitKind::KaimingUniform, rng);
  net.prepare(1, 1, 2);
  std::vector<float> x(36);
  for (auto& v : x) v = rng.uniform(-1.f, 1.f);
  const float* out = net.forward(x.data(), false);
  EXPECT_EQ(out, net.act(0));  // shared buffer
}

TEST(Network, ShapeErrorsNameTheProblem) {
  Network net({4, 1, 1});
  const int a = net.add(std::make_unique<Linear>(FeatShape{4, 1, 1}, 3));
  EXPECT_THROW(net.add(std::make_unique<Add>(FeatShape{3, 1, 1}), {a}), ShapeError);     // one input for two
  EXPECT_THROW(net.add(std::make_unique<Add>(FeatShape{3, 1, 1}), {a, 5}), ShapeError);  // a later node
  EXPECT_THROW(net.add(std::make_unique<Add>(FeatShape{3, 1, 1}), {a, Network::kInput}), ShapeError);  // [4] vs [3]
  net.add(std::make_unique<Linear>(FeatShape{3, 1, 1}, 2));
  net.add(std::make_unique<Linear>(FeatShape{3, 1, 1}, 2), {a});  // leaves node 1 unread
  try {
    net.finalize();
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("node 1"), std::string::npos) << e.what();
  }
}

// Spikes through dropout are 0 or 1 / (1 - p) in training, not spikes: the
// linear after it must weigh them by value. The same network with the input
// marked as analog (every layer on its dense path) gives the same output.
TEST(Network, DropoutOfSpikesKeepsItsScale) {
  const int I = 64, O = 8, T = 3, B = 4;
  auto make = [&](bool spikes) {
    auto net = std::make_unique<Network>(FeatShape{I, 1, 1});
    net->add(std::make_unique<Dropout>(FeatShape{I, 1, 1}, 0.5f, 7));
    net->add(std::make_unique<Linear>(FeatShape{I, 1, 1}, O));
    net->finalize();
    net->set_input_spikes(spikes);
    Rng rng(2);
    net->init_params(InitKind::KaimingUniform, rng);
    net->prepare(T, T, B);
    return net;
  };
  Rng rng(3);
  std::vector<float> x(size_t(T) * B * I);
  for (auto& v : x) v = rng.uniform() < 0.1f ? 1.f : 0.f;  // sparse: the spike path would be taken
  auto spiking = make(true), analog = make(false);
  const float* a = spiking->forward(x.data(), true);
  const std::vector<float> ya(a, a + size_t(T) * B * O);
  const float* b = analog->forward(x.data(), true);
  const std::vector<float> yb(b, b + size_t(T) * B * O);
  EXPECT_TRUE(all_close("train-mode output", ya, yb, 1e-5, 1e-6));
}
