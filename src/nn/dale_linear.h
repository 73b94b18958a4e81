// A fully connected layer under Dale's law (nn/dale.h): y = x W^T + b with
// W[O, I] sign-constrained by the presynaptic population (input j < round(f I)
// excitatory: W[:, j] >= 0, the rest inhibitory: W[:, j] <= 0). The maths is
// nn/linear.h's; only the initialisation (balanced E/I magnitudes) and the
// constraint (kept by learn/dale_projection.h after every optimiser step) differ.
#pragma once
#include "nn/dale.h"
#include "nn/linear.h"

namespace spikeforge {

class DaleLinear : public Linear, public SignConstrained {
 public:
  DaleLinear(FeatShape in, int out_features, bool bias, float excitatory_fraction);
  void init_params(InitKind kind, Rng& rng) override;
  std::vector<SignBlock> sign_blocks() override;
  int64_t excitatory() const { return n_exc_; }

 private:
  int64_t I_, O_, n_exc_;
};

}  // namespace spikeforge
