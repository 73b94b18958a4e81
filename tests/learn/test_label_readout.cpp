// Read-outs of unsupervised spike counts (learn/label_readout.h): labels and
// votes on hand-made counts; the linear read-out on separable counts.
#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "learn/label_readout.h"

using namespace spikeforge;

namespace {
// 4 samples x 3 neurons (spike counts r [S, N]); classes y = 0, 1, 0, 1
const float r[] = {5, 0, 1,  //
                   0, 4, 1,  //
                   3, 1, 0,  //
                   1, 6, 0};
const int y[] = {0, 1, 0, 1};
}  // namespace

TEST(LabelReadout, NeuronsTakeTheirStrongestClassAndVote) {
  const std::vector<int> labels = assign_labels(r, y, 4, 3, 2);
  // neuron 0: means 4 vs 0.5 -> 0; neuron 1: 0.5 vs 5 -> 1; neuron 2: 0.5 vs 0.5 -> 0 (first max)
  EXPECT_EQ(labels, (std::vector<int>{0, 1, 0}));
  const float never[] = {0, 0, 0, 0};
  EXPECT_EQ(assign_labels(never, y, 4, 1, 2), std::vector<int>{-1});
  // vote: sums 2 + 1 = 3 for class 0, 2 for class 1 -> 0; averaged 1.5 vs 2 -> 1
  const float c[] = {2, 2, 1};
  EXPECT_EQ(vote_class(c, labels, 2, false), 0);
  EXPECT_EQ(vote_class(c, labels, 2, true), 1);
}

TEST(LabelReadout, ProportionWeightingVotesWithEachNeuronsClassProfile) {
  // class means of neuron 0: 4, 0.5; neuron 1: 0.5, 5; neuron 2: 0.5, 0.5
  const std::vector<float> p = class_proportions(r, y, 4, 3, 2);
  const std::vector<float> want = {4.f / 4.5f, 0.5f / 4.5f, 0.5f / 5.5f, 5.f / 5.5f, 0.5f, 0.5f};
  ASSERT_EQ(p.size(), want.size());
  for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], want[i], 1e-6f) << i;
  // counts {1, 1, 4}: the vote gives class 0 (1 + 4 vs 1); proportions give
  // 1*0.889 + 1*0.091 + 4*0.5 = 2.980 vs 1*0.111 + 1*0.909 + 4*0.5 = 3.020 -> 1
  const std::vector<int> labels = assign_labels(r, y, 4, 3, 2);
  const float c[] = {1, 1, 4};
  EXPECT_EQ(vote_class(c, labels, 2, false), 0);
  EXPECT_EQ(proportion_class(c, p, 2), 1);
  // a neuron that never fired has no profile and adds nothing
  const float never[] = {0, 0, 0, 0};
  EXPECT_EQ(class_proportions(never, y, 4, 1, 2), (std::vector<float>{0.f, 0.f}));
}

TEST(LabelReadout, LinearReadoutSeparatesSeparableCounts) {
  const int S = 400, N = 6, C = 3;
  Rng rng(1);
  std::vector<float> r(S * N);
  std::vector<int> y(S);
  for (int s = 0; s < S; ++s) {
    y[s] = s % C;
    for (int j = 0; j < N; ++j) r[s * N + j] = rng.uniform(0.f, 2.f) + (j / 2 == y[s] ? 3.f : 0.f);
  }
  const LinearReadout m = train_linear_readout(r.data(), y.data(), S, N, C, 30, 0.05f, 7);
  int ok = 0;
  for (int s = 0; s < S; ++s) ok += m.predict(r.data() + s * N) == y[s];
  EXPECT_GE(ok, S * 99 / 100);
}
