// Keeps Dale's law through training: after every optimiser step, every
// sign-constrained block of the network (nn/dale.h: dale linear and recurrent
// layers) is projected back onto its signs, W <- max(W, 0) for excitatory
// presynaptic neurons and min(W, 0) for inhibitory ones (projected gradient
// descent; a weight that would change sign stops at zero). The optimiser's
// moments are left as they are.
#pragma once
#include <cstdint>
#include <vector>

#include "nn/dale.h"
#include "nn/network.h"

namespace spikeforge {

class DaleProjection {
 public:
  explicit DaleProjection(Network& net);  // collects the blocks once (views into the parameters)
  bool active() const { return !blocks_.empty(); }
  void project();
  int64_t violations() const;   // weights on the wrong side of zero (0 right after project)
  int64_t constrained() const;  // weights under the constraint
  const std::vector<SignBlock>& blocks() const { return blocks_; }

 private:
  std::vector<SignBlock> blocks_;
};

}  // namespace spikeforge
