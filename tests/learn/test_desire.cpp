// Desire backpropagation (learn/desire.h, learn/desire_net.h) against a
// naive test-only implementation of the documented equations, in double,
// on a tiny network whose weights and inputs are dyadic (k / 8), so every
// membrane, trace and update is exact and the weights must agree exactly;
// the ternary desire of hand-made counts; no update for a silent neuron;
// step-by-step vs event-driven.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../check_close.h"
#include "core/rng.h"
#include "learn/desire.h"
#include "learn/desire_net.h"

using namespace spikeforge;

TEST(Desire, TernaryDesireOfHandMadeCounts) {
  // T = 20, margin 4: c = n / 16
  const float n[4] = {4.f, 16.f, 2.f, 8.f};
  uint8_t active[4];
  float sign[4];
  output_desire(n, 4, /*label=*/0, 20, 4, 0.30f, active, sign);
  // label 0: e = 1 - 4/16 = 0.75 > 0.3 active +; 1: e = 1 > 0.3 active -; 2: e = 0.125 inactive; 3: e = 0.5 active -
  EXPECT_EQ(active[0], 1);
  EXPECT_EQ(sign[0], 1.f);
  EXPECT_EQ(active[1], 1);
  EXPECT_EQ(sign[1], -1.f);
  EXPECT_EQ(active[2], 0);
  EXPECT_EQ(active[3], 1);
  // the error sent down: |target - c| sign active mask
  EXPECT_FLOAT_EQ(desire_error(4.f, 20, 4, 1, 1.f, 1), 0.75f);
  EXPECT_FLOAT_EQ(desire_error(16.f, 20, 4, 1, -1.f, 1), -1.f);
  EXPECT_FLOAT_EQ(desire_error(8.f, 20, 4, 1, -1.f, 0), 0.f);  // dropped out
  EXPECT_FLOAT_EQ(desire_error(2.f, 20, 4, 0, -1.f, 1), 0.f);  // inactive
  uint8_t a;
  float s;
  hidden_desire(0.04f, 0.05f, a, s);
  EXPECT_EQ(a, 0);
  hidden_desire(-0.06f, 0.05f, a, s);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(s, -1.f);
  hidden_desire(0.05f, 0.05f, a, s);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(s, 1.f);
}

namespace {

// The equations of desire_net.h, written out plainly (no dropout).
struct NaiveDesire {
  int T, margin;
  double lambda, theta, lr, th_out, th_hid;
  std::vector<int> sizes;
  std::vector<std::vector<double>> w;  // [I, O] per layer

  void train(const std::vector<double>& x, int label) {
    const int L = int(w.size());
    // s[l][t][n]: layer 0 (input) t = 0..T-1; layer l >= 1 t = 0..T (s[l][0] = 0)
    std::vector<std::vector<std::vector<double>>> s(L + 1);
    s[0].assign(T, std::vector<double>(sizes[0], 0));
    std::vector<double> u(sizes[0], 0);
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < sizes[0]; ++i) {
        u[i] += x[i];
        if (u[i] >= theta) s[0][t][i] = 1, u[i] -= theta;
      }
    std::vector<std::vector<double>> n(L + 1);
    for (int l = 1; l <= L; ++l) {
      const int I = sizes[l - 1], O = sizes[l];
      s[l].assign(T + 1, std::vector<double>(O, 0));
      std::vector<double> v(O, 0);
      n[l].assign(O, 0);
      for (int t = 0; t < T; ++t)
        for (int j = 0; j < O; ++j) {
          double cur = 0;
          for (int i = 0; i < I; ++i) cur += s[l - 1][t][i] * w[l - 1][i * O + j];
          v[j] = lambda * v[j] + cur;
          if (v[j] >= theta) s[l][t + 1][j] = 1, v[j] -= theta, n[l][j] += 1;
        }
    }
    // desires
    std::vector<std::vector<int>> act(L + 1);
    std::vector<std::vector<double>> sg(L + 1);
    act[L].assign(sizes[L], 0);
    sg[L].assign(sizes[L], -1);
    for (int j = 0; j < sizes[L]; ++j) {
      const double c = n[L][j] / (T - margin);
      const double e = j == label ? 1 - c : c;
      act[L][j] = e > th_out;
      sg[L][j] = j == label ? 1 : -1;
    }
    for (int l = L; l >= 2; --l) {
      const int I = sizes[l - 1], O = sizes[l];
      act[l - 1].assign(I, 0);
      sg[l - 1].assign(I, -1);
      for (int i = 0; i < I; ++i) {
        double d = 0;
        for (int k = 0; k < O; ++k) {
          const double c = n[l][k] / (T - margin);
          d += w[l - 1][i * O + k] * std::fabs((sg[l][k] > 0 ? 1.0 : 0.0) - c) * sg[l][k] * act[l][k];
        }
        act[l - 1][i] = std::fabs(d) >= th_hid;
        sg[l - 1][i] = d > 0 ? 1 : -1;
      }
    }
    // updates at postsynaptic spikes of active neurons, with tr(t+1) = lambda tr(t) + in(t)
    for (int l = 1; l <= L; ++l) {
      const int I = sizes[l - 1], O = sizes[l];
      std::vector<double> tr(I, 0);
      for (int t = 0; t < T; ++t) {
        for (int i = 0; i < I; ++i) tr[i] = lambda * tr[i] + s[l - 1][t][i];
        for (int j = 0; j < O; ++j)
          if (s[l][t + 1][j] > 0 && act[l][j])
            for (int i = 0; i < I; ++i) w[l - 1][i * O + j] += lr * sg[l][j] * tr[i];
      }
    }
  }
};

DesireNetParams tiny_params() {
  DesireNetParams p;
  p.hidden = {3};
  p.timesteps = 8;
  p.threshold = 1.f;
  p.decay_bits = 2;  // lambda = 0.75
  p.dropout_input = 0.f;
  p.dropout_hidden = 0.f;
  p.error_margin = 2;
  p.theta_out = 0.3f;
  p.theta_hidden = 0.05f;
  return p;
}

}  // namespace

TEST(Desire, OneSampleMatchesTheNaiveEquationsExactly) {
  const DesireNetParams p = tiny_params();
  // dyadic weights and inputs: all sums exact in float and double
  const std::vector<float> w0 = {0.5f, 0.75f,  -0.25f, 0.625f, 0.125f,
                                 0.f,  0.375f, 0.5f,   0.f};                 // [3, 3]; hidden 2 silent
  const std::vector<float> w1 = {0.75f, 0.25f, 0.5f, 0.875f, 0.25f, -0.5f};  // [3, 2]
  const std::vector<float> x = {1.f, 0.5f, 0.75f};
  const float lr = 0.125f;
  NaiveDesire ref{p.timesteps, p.error_margin, 0.75, 1.0, lr, 0.3, 0.05, {3, 3, 2}, {}};
  ref.w = {std::vector<double>(w0.begin(), w0.end()), std::vector<double>(w1.begin(), w1.end())};
  for (int label : {0, 1}) {
    for (SimEngine e : {SimEngine::Dense, SimEngine::Event}) {
      DesireNet net(p, 3, 2);
      net.weights(0) = w0;
      net.weights(1) = w1;
      DesireState st = net.make_state();
      Rng rng(0);
      float out[2];
      net.present(x.data(), label, true, lr, e, rng, st, out);
      NaiveDesire r = ref;
      r.train({1.0, 0.5, 0.75}, label);
      EXPECT_TRUE(test::all_close("w0", net.weights(0).data(), r.w[0].data(), 9, 0, 0)) << sim_engine_name(e);
      EXPECT_TRUE(test::all_close("w1", net.weights(1).data(), r.w[1].data(), 6, 0, 0)) << sim_engine_name(e);
      // the silent hidden neuron 2 (zero input weights) keeps its incoming weights
      for (int i = 0; i < 3; ++i) EXPECT_EQ(net.weights(0)[i * 3 + 2], w0[i * 3 + 2]);
    }
  }
}

TEST(Desire, DenseAndEventLearnTheSameWeights) {
  DesireNetParams p;
  p.hidden = {50, 20};
  p.dropout_input = 0.05f;
  p.dropout_hidden = 0.3f;
  p.lr = 1e-3f;
  const int I = 64, C = 5;
  Rng data(2);
  std::vector<std::vector<float>> images(20, std::vector<float>(I));
  for (auto& im : images)
    for (float& v : im) v = data.uniform();
  std::vector<std::vector<float>> w[2];
  int correct[2] = {0, 0};
  int k = 0;
  for (SimEngine e : {SimEngine::Dense, SimEngine::Event}) {
    DesireNet net(p, I, C);
    Rng init(3);
    net.init_weights(init);
    DesireState st = net.make_state();
    std::vector<float> out(C);
    for (size_t s = 0; s < images.size(); ++s) {
      Rng rng = Rng(5).derive(s);
      correct[k] += net.present(images[s].data(), int(s % C), true, p.lr, e, rng, st, out.data());
    }
    for (int l = 0; l < net.layers(); ++l) w[k].push_back(net.weights(l));
    ++k;
  }
  EXPECT_EQ(correct[0], correct[1]);
  // the same updates; the currents and update sums differ only in summation order
  for (size_t l = 0; l < w[0].size(); ++l) EXPECT_TRUE(test::all_close("layer", w[0][l], w[1][l], 1e-6, 1e-5));
}
