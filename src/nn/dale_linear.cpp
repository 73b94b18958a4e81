#include "nn/dale_linear.h"

namespace spikeforge {

DaleLinear::DaleLinear(FeatShape in, int out_features, bool bias, float excitatory_fraction)
    : Linear(in, out_features, bias),
      I_(in.size()),
      O_(out_features),
      n_exc_(excitatory_count(I_, excitatory_fraction)) {}

void DaleLinear::init_params(InitKind kind, Rng& rng) {
  Linear::init_params(kind, rng);
  apply_dale_init(sign_blocks()[0]);
}

std::vector<SignBlock> DaleLinear::sign_blocks() { return {SignBlock{weight(), O_, I_, n_exc_}}; }

}  // namespace spikeforge
