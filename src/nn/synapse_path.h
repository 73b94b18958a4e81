// Which synaptic kernel a spike-fed layer (Linear, Conv2d) uses: chosen by
// the measured input density (Auto), or forced (tests, bench --sparse).
#pragma once

namespace spikeforge {

enum class SynapsePath { Auto, Dense, Sparse };

}  // namespace spikeforge
