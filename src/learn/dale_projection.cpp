#include "learn/dale_projection.h"

namespace spikeforge {

DaleProjection::DaleProjection(Network& net) {
  for (auto& l : net.layers())
    if (auto* c = dynamic_cast<SignConstrained*>(l.get()))
      for (const SignBlock& b : c->sign_blocks()) blocks_.push_back(b);
}

void DaleProjection::project() {
  for (const SignBlock& b : blocks_) project_dale(b);
}

int64_t DaleProjection::violations() const {
  int64_t n = 0;
  for (const SignBlock& b : blocks_) n += dale_violations(b);
  return n;
}

int64_t DaleProjection::constrained() const {
  int64_t n = 0;
  for (const SignBlock& b : blocks_) n += b.rows * b.cols;
  return n;
}

}  // namespace spikeforge
