// Running statistics of the normalisation layers (BatchNorm, BNTT, tdBN), the
// mean and variance that eval mode normalises with.
//
//   training:       r <- (1 - m) r + m s      m = momentum (0.1); s = the batch's
//                                             mean, or its variance made unbiased
//                                             (M / (M - 1), as PyTorch)
//   re-estimation:  the n-th batch (n = 1, 2, ...) enters with m = 1 / n, so after
//                   N batches r is the plain mean of their N statistics
//
// Why re-estimate ("precise BN", Wu & Johnson 2021, "Rethinking 'Batch' in
// BatchNorm", sec. 3.1): with m = 0.1 the statistics an epoch ends with are an
// exponential average over its last ~10 batches, taken while the weights were
// still moving; eval accuracy then jumps by tenths of a point from one epoch to
// the next. Averaged over N batches of the final weights they are not.
// While re-estimating, a layer computes batch statistics in eval mode too, so
// the pass runs with dropout off (the weights it sees are the ones evaluated).
#pragma once
#include <cstdint>

namespace spikeforge {

class RunningStats {
 public:
  explicit RunningStats(float momentum) : momentum_(momentum) {}
  void set_estimating(bool on) { batches_ = on ? 0 : -1; }
  bool estimating() const { return batches_ >= 0; }
  // The weight m of this forward's batch statistics.
  float weight() const { return batches_ >= 0 ? 1.f / float(batches_ + 1) : momentum_; }
  // Called once per forward that updated the statistics.
  void next_batch() {
    if (batches_ >= 0) ++batches_;
  }
  // rm, rv <- (1 - m) (rm, rv) + m (mean, var M / (M - 1)) for a batch of M values.
  static void update(float& rm, float& rv, double mean, double var, double M, float m) {
    const double unbiased = M > 1 ? var * M / (M - 1) : var;
    rm = float((1 - m) * rm + m * mean);
    rv = float((1 - m) * rv + m * unbiased);
  }

 private:
  float momentum_;
  int64_t batches_ = -1;  // batches averaged so far while re-estimating; -1: training rule
};

}  // namespace spikeforge
