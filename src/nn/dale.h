// Dale's law: every neuron is excitatory or inhibitory, so all of its outgoing
// weights share one sign. A population of n neurons has its first
// n_exc = round(f n) neurons excitatory (f = excitatory fraction, 0.8 as in
// cortex) and the rest inhibitory. A weight matrix W[rows, cols] reading that
// population (column j = presynaptic neuron j) is sign-constrained:
//   W[:, j] >= 0 for j < n_exc,   W[:, j] <= 0 otherwise.
// Initialisation (E/I balance, as the exponential Dale initialiser of stork):
// start from a sign-free draw w, then
//   W[:, j] = c_E |w|  (j < n_exc),   W[:, j] = -c_I |w|  (j >= n_exc)
//   c_E = sqrt(n_I / n_E),  c_I = sqrt(n_E / n_I)
// so that n_E c_E = n_I c_I (mean excitation and inhibition cancel) and
// n_E c_E^2 + n_I c_I^2 = n (each output's input variance is kept). One
// population only: c = 1. Training keeps the signs by projecting after every
// optimiser step (learn/dale_projection.h): W <- max(W, 0) or min(W, 0).
// Reference: Song, Yang, Wang 2016, "Training excitatory-inhibitory recurrent
// neural networks for cognitive tasks" (rectified sign constraint);
// Rossbroich, Gygax, Zenke 2022 (stork FluctuationDrivenExponentialInitializer).
#pragma once
#include <cstdint>
#include <vector>

namespace spikeforge {

// A sign-constrained block of parameters: W [rows, cols] row-major, columns
// j < n_exc excitatory.
struct SignBlock {
  float* w;
  int64_t rows, cols, n_exc;
};

int64_t excitatory_count(int64_t n, float fraction);  // round(fraction n)
// Turns an initialised block into the balanced E/I form above.
void apply_dale_init(const SignBlock& b);
// W[:, j] <- max(W, 0) for excitatory j, min(W, 0) for inhibitory j.
void project_dale(const SignBlock& b);
// Number of weights whose sign breaks the constraint (0 after project_dale).
int64_t dale_violations(const SignBlock& b);

// Layers with sign-constrained weights list them here (views into their parameters).
class SignConstrained {
 public:
  virtual ~SignConstrained() = default;
  virtual std::vector<SignBlock> sign_blocks() = 0;
};

}  // namespace spikeforge
