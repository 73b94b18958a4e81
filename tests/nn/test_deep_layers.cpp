// Deep and recurrent training beyond the PyTorch comparisons
// (test_torch_deep_reference.cpp): hand-computed SEW joins, BNTT's evaluation
// mode and step limit, the layers a resblock expands into, Dale's law kept
// through training, truncated BPTT that covers the whole sequence equal to
// full BPTT, and fluctuation-driven initialisation reaching its targets.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../check_close.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/image_dataset.h"
#include "learn/bptt.h"
#include "learn/dale_projection.h"
#include "learn/grad_clip.h"
#include "nn/batch_norm.h"
#include "nn/dale.h"
#include "nn/fluctuation_init.h"
#include "nn/linear.h"
#include "nn/network.h"
#include "nn/network_builder.h"
#include "nn/recurrent_layer.h"
#include "nn/sew.h"
#include "nn/temporal_batch_norm.h"

using namespace spikeforge;
using spikeforge::test::all_close;

namespace {

LayerSpec spec(const std::string& type) {
  LayerSpec s;
  s.type = type;
  return s;
}

std::vector<std::string> kinds(const Network& net) {
  std::vector<std::string> k;
  for (const auto& l : net.layers()) k.push_back(l->kind());
  return k;
}

std::vector<float> normal_vec(size_t n, Rng& rng, float mean, float std) {
  std::vector<float> v(n);
  for (auto& x : v) x = mean + std * rng.normal();
  return v;
}

}  // namespace

// a = block output spikes, s = skip spikes; every combination of two bits.
TEST(SewJoin, HandComputedValuesAndGradients) {
  const std::vector<float> a = {1, 0, 1, 0}, s = {1, 1, 0, 0}, dy = {1, 2, 3, 4};
  struct Case {
    SewOp op;
    std::vector<float> y, da, ds;
  };
  const Case cases[] = {
      {SewOp::Add, {2, 1, 1, 0}, {1, 2, 3, 4}, {1, 2, 3, 4}},     // y = a + s
      {SewOp::And, {1, 0, 0, 0}, {1, 2, 0, 0}, {1, 0, 3, 0}},     // y = a s:  da = s dy, ds = a dy
      {SewOp::Iand, {0, 1, 0, 0}, {-1, -2, 0, 0}, {0, 2, 0, 4}},  // y = (1 - a) s: da = -s dy, ds = (1 - a) dy
  };
  for (const Case& c : cases) {
    SewJoin join(FeatShape{4, 1, 1}, c.op);
    join.prepare(1, 1, 1);
    std::vector<float> y(4), da(4, 99.f), ds(4, 99.f);
    const float* in[2] = {a.data(), s.data()};
    join.forward_multi(in, y.data(), true);
    float* din[2] = {da.data(), ds.data()};
    join.backward_multi(dy.data(), din);
    EXPECT_EQ(y, c.y) << sew_op_name(c.op);
    EXPECT_EQ(da, c.da) << sew_op_name(c.op);
    EXPECT_EQ(ds, c.ds) << sew_op_name(c.op);
  }
}

// Eval mode normalises step t with step t's running statistics (the formula
// evaluated here from the buffers), and a network built for T steps refuses more.
TEST(Bntt, EvalUsesEachStepsRunningStatistics) {
  const int T = 3, B = 4;
  const FeatShape shape{2, 2, 2};
  BatchNormThroughTime bn(shape, T, /*bias=*/false, 1e-4f, /*momentum=*/0.5f);
  std::vector<float> params(bn.param_count()), grads(params.size()), buffers(bn.buffer_count());
  bn.bind(params.data(), grads.data());
  bn.bind_buffers(buffers.data());
  Rng rng(3);
  bn.init_params(InitKind::KaimingUniform, rng);
  for (size_t i = 0; i < params.size(); ++i) params[i] = 0.5f + 0.25f * float(i);  // gamma_{t,c}
  bn.prepare(T, T, B);
  std::vector<float> x(size_t(T) * B * shape.size()), y(x.size()), ye(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) * 0.3f + float(i / 16);  // steps differ in mean
  bn.forward(x.data(), y.data(), /*train=*/true);                                    // updates the running statistics
  bn.forward(x.data(), ye.data(), /*train=*/false);
  std::vector<double> ref(x.size());
  const int C = shape.C, HW = 4;
  for (int t = 0; t < T; ++t)
    for (int b = 0; b < B; ++b)
      for (int c = 0; c < C; ++c)
        for (int p = 0; p < HW; ++p) {
          const size_t i = ((size_t(t) * B + b) * C + c) * HW + p;
          const double rm = buffers[t * C + c], rv = buffers[T * C + t * C + c];
          ref[i] = params[t * C + c] * (x[i] - rm) / std::sqrt(rv + 1e-4);
        }
  EXPECT_TRUE(all_close("bntt eval", ye.data(), ref.data(), ref.size(), 1e-5, 1e-5));
  // momentum 0.5 from (0, 1): the step means moved half way, and differ between steps
  EXPECT_NE(buffers[0], buffers[C]);
  EXPECT_THROW(bn.prepare(T, T + 1, B), ShapeError);
  EXPECT_NO_THROW(bn.prepare(T - 1, T - 1, B));  // early exit: fewer steps
}

// Precise BN (nn/running_stats.h) on all three norm layers: while
// re-estimating, eval-mode forwards normalise with the batch's statistics
// (the same output as a train-mode forward) and the running statistics
// become the plain mean of the batches' mean and unbiased variance, whatever
// they held before; afterwards training updates them by the momentum again.
TEST(PreciseBn, RunningStatisticsAreThePlainMeanOverTheBatches) {
  const int T = 2, B = 3, nbatch = 3;
  const FeatShape shape{2, 2, 2};
  const int C = shape.C, HW = 4, M = B * HW;
  auto make = [&](int kind) -> std::unique_ptr<Layer> {
    if (kind == 0) return std::make_unique<BatchNormThroughTime>(shape, T, /*bias=*/false, 1e-4f, 0.1f);
    if (kind == 1) return std::make_unique<ThresholdBatchNorm>(shape, /*theta=*/1.f, 1.f, 1e-5f, 0.1f);
    return std::make_unique<BatchNorm>(shape, 1e-5f, 0.1f);
  };
  for (int kind = 0; kind < 3; ++kind) {
    std::unique_ptr<Layer> bn = make(kind), twin = make(kind);
    const std::string name = bn->kind();
    std::vector<float> p(bn->param_count()), g(p.size()), buf(bn->buffer_count());
    std::vector<float> p2(p.size()), g2(p.size()), buf2(buf.size());
    bn->bind(p.data(), g.data()), bn->bind_buffers(buf.data());
    twin->bind(p2.data(), g2.data()), twin->bind_buffers(buf2.data());
    Rng rng(5);
    bn->init_params(InitKind::KaimingUniform, rng), twin->init_params(InitKind::KaimingUniform, rng);
    for (float& r : buf) r = 7.f;  // stale statistics: must not survive the re-estimation
    bn->prepare(T, T, B), twin->prepare(T, T, B);
    // group = one set of statistics: (step, channel) for bntt, channel for the others
    const int groups = kind == 0 ? T * C : C, per_group = kind == 0 ? M : T * M;
    std::vector<double> sum_mean(groups, 0.0), sum_var(groups, 0.0);
    bn->set_stat_estimation(true);
    for (int k = 0; k < nbatch; ++k) {
      std::vector<float> x(size_t(T) * B * shape.size()), y(x.size()), ytrain(x.size());
      for (size_t i = 0; i < x.size(); ++i)
        x[i] = std::sin(0.7f * float(i) + 1.3f * float(k)) * float(k + 1) + float(k);
      bn->forward(x.data(), y.data(), /*train=*/false);
      twin->forward(x.data(), ytrain.data(), /*train=*/true);
      EXPECT_TRUE(
          all_close((name + " batch statistics in eval").c_str(), y.data(), ytrain.data(), y.size(), 1e-6, 1e-6));
      for (int gi = 0; gi < groups; ++gi) {  // reference: two-pass mean and unbiased variance of the group
        const int c = gi % C, t0 = kind == 0 ? gi / C : 0, t1 = kind == 0 ? t0 + 1 : T;
        double s = 0, s2 = 0;
        for (int t = t0; t < t1; ++t)
          for (int b = 0; b < B; ++b)
            for (int q = 0; q < HW; ++q) s += x[((size_t(t) * B + b) * C + c) * HW + q];
        const double mean = s / per_group;
        for (int t = t0; t < t1; ++t)
          for (int b = 0; b < B; ++b)
            for (int q = 0; q < HW; ++q) s2 += std::pow(x[((size_t(t) * B + b) * C + c) * HW + q] - mean, 2);
        sum_mean[gi] += mean / nbatch, sum_var[gi] += s2 / (per_group - 1) / nbatch;
      }
    }
    bn->set_stat_estimation(false);
    EXPECT_TRUE(all_close((name + " running mean").c_str(), buf.data(), sum_mean.data(), groups, 1e-5, 1e-5));
    EXPECT_TRUE(all_close((name + " running var").c_str(), buf.data() + groups, sum_var.data(), groups, 1e-5, 1e-5));
    // training rule again: one train batch of constant 1 moves the mean by momentum 0.1 toward 1
    const std::vector<float> before(buf.begin(), buf.begin() + groups);
    std::vector<float> ones(size_t(T) * B * shape.size(), 1.f), y(ones.size());
    bn->forward(ones.data(), y.data(), /*train=*/true);
    for (int gi = 0; gi < groups; ++gi) EXPECT_NEAR(buf[gi], 0.9 * before[gi] + 0.1, 1e-5) << name << " group " << gi;
  }
}

// [neuron_params] learn_beta / refractory reach every lif layer, those of
// residual blocks included: each becomes the stateful model with its decay
// logit as a parameter (PLIF) or with its refractory period.
TEST(NetworkWideNeuronParams, LearnBetaMakesEveryLifAPlif) {
  NetworkDefaults d;
  d.timesteps = 2;
  LayerSpec conv = spec("conv2d");
  conv.channels = 4, conv.kernel = 3, conv.stride = 1, conv.pad = 1;
  LayerSpec block = spec("resblock");
  block.channels = 4, block.skip = "spike_add", block.norm = "bntt", block.neuron = "lif";
  const std::vector<LayerSpec> specs = {conv, spec("lif"), block};
  auto count = [](const Network& net, const std::string& kind) {
    int n = 0;
    for (const auto& l : net.layers()) n += l->kind() == kind;
    return n;
  };
  auto plain = build_network(specs, d, FeatShape{1, 4, 4}, "test");
  EXPECT_EQ(count(*plain, "lif"), 3);  // stem, block main path, block output
  d.model.learn_beta = LearnBeta::Layer;
  auto plif = build_network(specs, d, FeatShape{1, 4, 4}, "test");
  EXPECT_EQ(count(*plif, "plif"), 3);
  EXPECT_EQ(count(*plif, "lif"), 0);
  EXPECT_EQ(plif->params().size(), plain->params().size() + 3);  // one decay logit per layer
}

// A 3x3 pad-1 conv of `channels` outputs (the stem of the block tests).
static LayerSpec conv3x3_spec(int channels) {
  LayerSpec c = spec("conv2d");
  c.channels = channels, c.kernel = 3, c.stride = 1, c.pad = 1;
  return c;
}

// A BNTT + LIF residual block spec.
static LayerSpec resblock_spec(int channels, int stride, const std::string& skip) {
  LayerSpec b = spec("resblock");
  b.channels = channels, b.stride = stride, b.skip = skip, b.norm = "bntt", b.neuron = "lif";
  return b;
}

// A down-sampling spike_add block: main path, 1x1 projection with its norm,
// the block's neuron, then the spike sum; the plain block has no skip.
TEST(ResidualBlock, ExpandsIntoItsLayers) {
  NetworkDefaults d;
  d.timesteps = 4;
  const LayerSpec stem = conv3x3_spec(8);
  LayerSpec block = resblock_spec(16, 2, "spike_add");
  block.eps = 1e-4f;
  auto build = [&](const std::string& skip) {
    LayerSpec b = block;
    b.skip = skip;
    return build_network({stem, spec("bntt"), spec("lif"), b}, d, FeatShape{1, 8, 8}, "test");
  };
  auto net = build("spike_add");
  const std::vector<std::string> spike_add = {"conv2d", "bntt", "lif",    "conv2d", "bntt", "lif",
                                              "conv2d", "bntt", "conv2d", "bntt",   "lif",  "add"};
  EXPECT_EQ(kinds(*net), spike_add);
  EXPECT_EQ(net->output_shape(), (FeatShape{16, 4, 4}));
  EXPECT_EQ(net->inputs_of(8), std::vector<int>({2}));  // the projection reads the block input
  EXPECT_EQ(net->inputs_of(11), std::vector<int>({10, 9}));
  const std::vector<std::string> membrane = {"conv2d", "bntt", "lif",    "conv2d", "bntt", "lif",
                                             "conv2d", "bntt", "conv2d", "bntt",   "add",  "lif"};
  EXPECT_EQ(kinds(*build("membrane_add")), membrane);
  const std::vector<std::string> sew = {"conv2d", "bntt",   "lif",  "conv2d", "bntt", "lif", "conv2d",
                                        "bntt",   "conv2d", "bntt", "lif",    "lif",  "sew"};
  EXPECT_EQ(kinds(*build("sew_iand")), sew);  // the SEW projection ends in a neuron: spikes
  const std::vector<std::string> plain = {"conv2d", "bntt", "lif", "conv2d", "bntt", "lif", "conv2d", "bntt", "lif"};
  EXPECT_EQ(kinds(*build("none")), plain);
}

// What a spike-add join holds (Network::max_count, which picks Conv2d's
// bit-plane path): an identity block's join adds two spike tensors (0..2), the
// next block's adds one more (0..3); behind a projection skip, whose norm
// output is real, it holds real values (0).
TEST(ResidualBlock, SpikeAddJoinsHoldCounts) {
  NetworkDefaults d;
  d.timesteps = 4;
  const LayerSpec stem = conv3x3_spec(8), block = resblock_spec(8, 1, "spike_add"),
                  down = resblock_spec(16, 2, "spike_add");
  auto net = build_network({stem, spec("bntt"), spec("lif"), block, block, down}, d, FeatShape{1, 8, 8}, "test");
  std::vector<int> adds;
  const std::vector<std::string> k = kinds(*net);
  for (size_t i = 0; i < k.size(); ++i)
    if (k[i] == "add") adds.push_back(net->max_count(int(i)));
  EXPECT_EQ(adds, std::vector<int>({2, 3, 0}));
  EXPECT_EQ(net->max_count(2), 1);  // the stem's LIF: spikes
  EXPECT_EQ(net->max_count(1), 0);  // its BNTT: real values
}

// A recurrent layer and a read-out under Dale's law, trained with Adam for 200
// steps: without the projection weights cross zero; with it none does, and the
// initial E/I weights balance on average.
TEST(DaleLaw, SignsHoldAfterManyOptimiserSteps) {
  auto train = [](bool project, int64_t* violations, int64_t* constrained, double* balance) {
    NetworkDefaults d;
    d.spiking.lif.beta = 0.8f;
    LayerSpec rec = spec("recurrent");
    rec.units = 40, rec.neuron = "lif", rec.dale = true, rec.excitatory = 0.8f;
    LayerSpec out = spec("linear");
    out.units = 4, out.dale = true, out.excitatory = 0.8f;
    auto net = build_network({rec, out}, d, FeatShape{6, 1, 1}, "test");
    Rng rng(5);
    net->init_params(InitKind::KaimingUniform, rng);
    DaleProjection dale(*net);
    EXPECT_EQ(dale.violations(), 0) << "the initialisation already has the signs";
    *balance = 0;  // sum over rows of (sum of E weights + sum of I weights) / sum |w|
    const SignBlock w = dale.blocks()[0];
    double total = 0;
    for (int64_t r = 0; r < w.rows; ++r)
      for (int64_t j = 0; j < w.cols; ++j) *balance += w.w[r * w.cols + j], total += std::fabs(w.w[r * w.cols + j]);
    *balance /= total;
    OptimizerParams op;
    op.kind = OptimizerKind::Adam;
    BpttLearner learner(*net, LossParams{}, op);
    const int T = 10, B = 16;
    Rng data(9);
    for (int step = 0; step < 200; ++step) {
      std::vector<float> x(size_t(T) * B * 6);
      std::vector<int> y(B);
      for (int b = 0; b < B; ++b) y[b] = int(data.below(4));
      for (int t = 0; t < T; ++t)
        for (int b = 0; b < B; ++b)
          for (int i = 0; i < 6; ++i)
            x[(size_t(t) * B + b) * 6 + i] = (i % 4 == y[b] ? 1.2f : 0.f) + 0.5f * data.uniform();
      learner.step(x.data(), T, T, B, y.data(), 1e-2f);
      if (project) dale.project();
    }
    *violations = dale.violations();
    *constrained = dale.constrained();
  };
  int64_t free_bad, bad, n;
  double balance;
  train(false, &free_bad, &n, &balance);
  EXPECT_GT(free_bad, 0) << "without the projection training flips signs, so the test would not see a broken one";
  train(true, &bad, &n, &balance);
  EXPECT_EQ(n, 40 * 40 + 4 * 40);
  EXPECT_EQ(bad, 0);
  EXPECT_LT(std::fabs(balance), 0.1) << "E and I magnitudes balance: n_E c_E = n_I c_I";
}

// Truncated BPTT with one chunk covering the sequence is full BPTT (bitwise);
// gradient clipping caps the global norm.
TEST(TruncatedBptt, ChunkCoveringTheSequenceEqualsFullBptt) {
  auto run = [](int truncation, float clip, std::vector<float>* params, double* norm) {
    NetworkDefaults d;
    d.spiking.lif.beta = 0.9f;
    d.model.tau_adapt = 10.f;
    LayerSpec rec = spec("recurrent");
    rec.units = 12, rec.neuron = "alif";
    auto net = build_network({rec,
                              [] {
                                LayerSpec o = spec("linear");
                                o.units = 3;
                                return o;
                              }()},
                             d, FeatShape{5, 1, 1}, "test");
    Rng rng(2);
    net->init_params(InitKind::KaimingUniform, rng);
    BpttLearner learner(*net, LossParams{}, OptimizerParams{}, BpttParams{truncation, clip});
    Rng data(4);
    const int T = 12, B = 4;
    const std::vector<float> x = normal_vec(size_t(T) * B * 5, data, 0.6f, 0.5f);
    const std::vector<int> y = {0, 1, 2, 1};
    learner.step(x.data(), T, T, B, y.data(), 1e-2f);
    *params = net->params();
    *norm = learner.last_grad_norm();
  };
  std::vector<float> full, chunk, clipped;
  double n0, n1, n2;
  run(0, 0.f, &full, &n0);
  run(12, 0.f, &chunk, &n1);
  EXPECT_EQ(full, chunk);
  run(0, 1e-3f, &clipped, &n2);
  EXPECT_GT(n2, 1e-3) << "the clip must bite for the test to mean anything";
  EXPECT_NE(full, clipped);
  std::vector<float> g = {3.f, 4.f};
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.data(), 2, 1.f), 5.0);
  EXPECT_FLOAT_EQ(g[0], 0.6f);
  EXPECT_FLOAT_EQ(g[1], 0.8f);
}

// Fluctuation-driven initialisation of a deep MLP (lif, lif, cuba, alif, lif
// layers) on real Fashion-MNIST images (direct analog input, T = 25), set from
// 512 training images: on 512 other training images every spiking layer's
// free membrane has the target mean and standard deviation within 10 % of the
// target std (mean) and of itself (std); on the test split too for the
// centred target (its images are a little brighter, and the excess compounds
// over depth: +1.5 % std per layer).
TEST(FluctuationInit, ReachesTargetsOnHeldOutData) {
  const ImageDataset all = load_fashion_mnist(kDefaultFashionMnistDir, "train", 1024);
  const ImageDataset test = load_fashion_mnist(kDefaultFashionMnistDir, "test", 256);
  ASSERT_EQ(all.count, 1024);
  const float* init_images = all.images.data();            // images 0..511
  const float* held_out_images = init_images + 512 * 784;  // images 512..1023
  NetworkDefaults d;
  d.spiking.lif.beta = 0.9f;
  d.model.alpha = 0.7f;
  std::vector<LayerSpec> specs;
  const char* neurons[] = {"lif", "lif", "cuba", "alif", "lif"};
  for (const char* n : neurons) {
    LayerSpec l = spec("linear");
    l.units = 96;
    specs.push_back(l);
    specs.push_back(spec(n));
  }
  LayerSpec out = spec("linear");
  out.units = 10;
  specs.push_back(out);
  auto net = build_network(specs, d, FeatShape{1, 28, 28}, "test");
  Rng rng(11);
  net->init_params(InitKind::KaimingUniform, rng);
  const int T = 25;
  for (const auto& [mean, std] : {std::pair{0.0f, 1.0f}, std::pair{0.2f, 0.8f}}) {
    FluctuationParams p;
    p.membrane_mean = mean, p.membrane_std = std;
    Rng r(13);
    const auto layers = fluctuation_init(*net, init_images, 1, T, 512, p, r);
    ASSERT_EQ(layers.size(), 5u);
    for (const auto& l : layers) EXPECT_TRUE(l.reachable) << "layer " << l.neuron_node;
    const auto on_init = free_membrane_stats(*net, init_images, 1, T, 512);
    const auto held_out = free_membrane_stats(*net, held_out_images, 1, T, 512);
    const auto on_test = free_membrane_stats(*net, test.images.data(), 1, T, int(test.count));
    ASSERT_EQ(held_out.size(), 5u);
    for (size_t i = 0; i < held_out.size(); ++i) {
      const std::string where = "layer " + std::to_string(held_out[i].neuron_node) + " target (" +
                                std::to_string(mean) + ", " + std::to_string(std) + ")";
      EXPECT_NEAR(on_init[i].mean, mean, 1e-3 * std) << where << ": exact on the batch it was set from";
      EXPECT_NEAR(on_init[i].std, std, 1e-3 * std) << where;
      EXPECT_NEAR(held_out[i].mean, mean, 0.1 * std) << where;
      EXPECT_NEAR(held_out[i].std, std, 0.1 * std) << where;
      if (mean != 0.f) continue;
      EXPECT_NEAR(on_test[i].mean, mean, 0.1 * std) << where << " (test split)";
      EXPECT_NEAR(on_test[i].std, std, 0.1 * std) << where << " (test split)";
    }
  }
}

// For n independent Bernoulli(nu) inputs the solved weights follow the paper's
// rule with the DISCRETE kernel sums (epsbar = sum_k beta^k, epshat = sum_k
// beta^2k over the run, here the exact finite-T expectation): mu_W to 2 %,
// sigma_W to 3 %. The continuous-time integrals (epsbar = tau = -1/ln beta,
// epshat = tau/2) differ by 5 % and 10 % at beta = 0.9.
TEST(FluctuationInit, BernoulliInputsFollowTheDiscreteKernelRule) {
  const int n = 200, O = 512, B = 16, T = 300;
  const float nu = 0.05f, beta = 0.9f;
  NetworkDefaults d;
  d.spiking.lif.beta = beta;
  LayerSpec l = spec("linear");
  l.units = O;
  auto net = build_network({l, spec("lif")}, d, FeatShape{n, 1, 1}, "test");
  Rng rng(1);
  net->init_params(InitKind::KaimingUniform, rng);
  std::vector<float> x(size_t(T) * B * n);
  for (auto& v : x) v = rng.uniform() < nu ? 1.f : 0.f;
  FluctuationParams p;
  p.membrane_mean = 0.2f, p.membrane_std = 0.8f;
  const auto r = fluctuation_init(*net, x.data(), T, T, B, p, rng);
  ASSERT_EQ(r.size(), 1u);
  // Expectations over t = 0..T-1 with S1(t) = sum_{k<=t} beta^k, S2(t) = sum_{k<=t} beta^2k:
  //   E[U_t] = n nu mu S1(t),  Var U_t = n [(s^2 + mu^2) nu (1 - nu) S2(t) + s^2 nu^2 S1(t)^2]
  double mS1 = 0, mS2 = 0, mS1sq = 0, s1 = 0, s2 = 0;
  for (int t = 0; t < T; ++t) {
    s1 += std::pow(double(beta), t), s2 += std::pow(double(beta), 2 * t);
    mS1 += s1 / T, mS2 += s2 / T, mS1sq += s1 * s1 / T;
  }
  const double q = double(nu) * (1 - nu), m = p.membrane_mean, sd = p.membrane_std;
  const double mu = m / (n * nu * mS1);
  // total variance = mean_t Var U_t + Var_t E[U_t]
  const double var_of_mean = n * n * nu * nu * mu * mu * (mS1sq - mS1 * mS1);
  const double sigma2 = (sd * sd - var_of_mean - n * mu * mu * q * mS2) / (n * (q * mS2 + nu * nu * mS1sq));
  EXPECT_NEAR(r[0].mu_w, mu, 0.02 * mu);
  EXPECT_NEAR(r[0].sigma_w, std::sqrt(sigma2), 0.03 * std::sqrt(sigma2));
  EXPECT_NEAR(r[0].input_rate, nu, 0.005);
}
