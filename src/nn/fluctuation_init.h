// Fluctuation-driven initialisation (Rossbroich, Gygax, Zenke 2022): a
// data-dependent initialisation that sets, layer by layer, the weights feeding
// every spiking layer so that its free membrane potential U (the membrane
// without firing or reset) has a target mean mu_U and standard deviation
// sigma_U, both in units of the threshold theta (xi = (theta - mu_U) / sigma_U
// is the distance to threshold in standard deviations).
//
// A synapse layer with weights W ~ N(mu_W, sigma_W^2) i.i.d. and no bias feeds
// a neuron whose free membrane is the input current filtered by the neuron's
// own discrete PSP kernel eps (NeuronLayer::free_kernel: the simulator's
// update run on a unit input with firing disabled; LIF: eps_k = beta^k, cuba:
// the two-stage filter):  U_t = sum_k eps_k I_{t-k},  I = synapse(x; W).
// As the synapse is linear in W, U = mu_W U1 + sigma_W UZ with
//   U1 = eps * synapse(x; all weights 1),  UZ = eps * synapse(x; Z),  Z ~ N(0, 1),
// computed on a batch of real inputs x (the previous layers already
// initialised, their spikes real). Over all steps, samples and neurons:
//   E[U]   = mu_W E[U1] + sigma_W E[UZ]                                      = mu_U theta
//   Var[U] = mu_W^2 Var[U1] + sigma_W^2 Var[UZ] + 2 mu_W sigma_W Cov[U1, UZ]  = (sigma_U theta)^2
// solved exactly for (mu_W, sigma_W) (a quadratic in sigma_W), and W = mu_W + sigma_W Z.
// For n independent Bernoulli(nu) inputs this is the paper's rule with the
// discrete kernel integrals epsbar = sum_k eps_k, epshat = sum_k eps_k^2:
//   mu_W = mu_U / (n nu epsbar),  sigma_W^2 = sigma_U^2 / (n nu epshat) - mu_W^2   (up to O(nu^2))
// (stork/initializers.py computes epsbar, epshat numerically from the discrete
// kernel by default, as here; the analytic values are wrong for dt >= 1).
// Recurrent layers: the input weights get a share alpha of the variance
// (mean mu_U), the recurrent weights the rest with zero mean, from the
// layer's own spikes once its input weights are set (alpha = 0.9).
// Layers covered: linear or conv2d (no norm in between) feeding a neuron layer
// (lif/if, alif, ahp, cuba, plif), and recurrent layers; everything else keeps
// the base initialisation (the read-out, norms, Dale-constrained layers).
#pragma once
#include <string>
#include <vector>

#include "core/rng.h"
#include "nn/network.h"

namespace spikeforge {

struct FluctuationParams {
  float membrane_mean = 0.f;  // mu_U / theta
  float membrane_std = 1.f;   // sigma_U / theta
  int samples = 512;          // training images the statistics come from
  float ff_fraction = 0.9f;   // recurrent layers: alpha, the feed-forward share of the variance
};

// Per initialised neuron layer: what was set and what it gives on the batch.
struct FluctuationLayerInit {
  int synapse_node = -1, neuron_node = -1;
  float mu_w = 0.f, sigma_w = 0.f;  // the weight distribution chosen (input weights for recurrent layers)
  float sigma_w_rec = 0.f;          // recurrent weights (recurrent layers)
  double input_rate = 0;            // mean input value per element and step (nu for spikes)
  double epsbar = 0, epshat = 0;    // the kernel's sum and sum of squares over the run
  bool reachable = true;            // false: the mean target alone spreads the membrane beyond the std target
};

// The free membrane statistics of one neuron layer on a batch, in units of theta.
struct MembraneStats {
  int neuron_node;
  double mean, std;
};

// Initialises the layers above in topological order from x [Tin, B, in]
// (run for T steps). Throws ConfigError if no layer qualifies.
std::vector<FluctuationLayerInit> fluctuation_init(Network& net, const float* x, int Tin, int T, int B,
                                                   const FluctuationParams& p, Rng& rng);

// Measures the free membrane (mean, std over steps, samples and neurons, / theta)
// of every layer fluctuation_init covers, on the network as it is (a forward on x).
std::vector<MembraneStats> free_membrane_stats(Network& net, const float* x, int Tin, int T, int B);

}  // namespace spikeforge
