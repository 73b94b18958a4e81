// Read-outs of unsupervised spike counts (learn/label_readout.h): labels and
// votes on hand-made counts; the linear read-out on separable counts.
#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "learn/label_readout.h"

using namespace spikeforge;

TEST(LabelReadout, NeuronsTakeTheirStrongestClassAndVote) {
  // 4 samples x 3 neurons; classes 0, 1, 0, 1
  const float r[] = {5, 0, 1,  //
                     0, 4, 1,  //
                     3, 1, 0,  //
                     1, 6, 0};
  const int y[] = {0, 1, 0, 1};
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
