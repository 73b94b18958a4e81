// Spike-timing-dependent plasticity (STDP) as a weight-update model: an
// on-presynaptic-spike and an on-postsynaptic-spike update of one synapse,
// which the simulation calls as spikes happen [GeNN weight-update models].
//
// Traces, one per neuron, decayed every step (dt) by a = exp(-dt / tau):
//   x_i   presynaptic trace                   a_pre  = exp(-dt / tau_pre)
//   y_j   postsynaptic trace                  a_post = exp(-dt / tau_post)
//   z_j   slow postsynaptic trace (triplet)   a_slow = exp(-dt / tau_post_slow)
//   at a spike of its neuron a trace jumps:
//     pairing = nearest (pair-based, nearest spike):   x <- 1
//         so x_i(t) = a_pre^(t - t_i), t_i the last spike: the pair rule's
//         exp(-(t - t_i) / tau) for the nearest pair;
//     pairing = all (trace-based, all-to-all):         x <- x + 1
//         so x_i(t) = sum_k a_pre^(t - t_i^k): every earlier spike pairs.
//
// Updates, as coded (w_min <= w <= w_max always holds afterwards):
//   on_pre  (presynaptic spike of i, for every synapse i -> j), depression:
//     additive:        w <- clip(w - nu_pre * y_j, w_min, w_max)
//     multiplicative:  w <- w - nu_pre * y_j * (w - w_min)                  (soft bound)
//   on_post (postsynaptic spike of j, for every synapse i -> j), potentiation:
//     additive:        w <- clip(w + nu_post * x_i * f_j, w_min, w_max)
//     multiplicative:  w <- w + nu_post * x_i * f_j * (w_max - w)           (soft bound)
//     f_j = z_j before this spike's jump if triplet, else 1
//   The multiplicative forms stay in bounds while nu * trace <= 1; they are
//   clipped too, so rounding never leaves the interval.
//
// Order within a step: decay all traces; presynaptic spikes jump x_i; on_pre
// for their synapses (y_j as it was before this step's postsynaptic spikes);
// on_post for the synapses of postsynaptic spikes (x_i including this step's
// presynaptic spikes); then y_j and z_j jump. One pair at interval
// d = t_post - t_pre > 0 steps therefore changes w by nu_post a_pre^d
// (additive), and a pair at d = t_pre - t_post > 0 by -nu_pre a_post^d.
//
// Weight normalisation [Diehl & Cook 2015]: before each training sample, the
// weights onto each postsynaptic neuron j are scaled to sum to norm_sum:
//   w_ij <- w_ij * norm_sum / sum_i w_ij                    (norm_sum = 0: off)
//
// | parameter      | default | unit | meaning                                         |
// | pairing        | nearest | -    | nearest (pair-based) or all (trace-based)       |
// | update         | additive| -    | additive (hard bounds) or multiplicative (soft) |
// | triplet        | true    | -    | potentiation times the slow post trace z_j      |
// | nu_pre         | 1e-4    | -    | depression rate, at presynaptic spikes          |
// | nu_post        | 1e-2    | -    | potentiation rate, at postsynaptic spikes       |
// | tau_pre        | 20      | ms   | presynaptic trace time constant                 |
// | tau_post       | 20      | ms   | postsynaptic trace time constant                |
// | tau_post_slow  | 40      | ms   | slow postsynaptic trace (triplet)               |
// | w_min, w_max   | 0, 1    | -    | weight bounds                                   |
// | norm_sum       | 78      | -    | sum of the weights onto a neuron (0 = off)      |
// State: w [I, O] (input-major), x [I], y [O], z [O].
// References: Bi & Poo 1998 (pair window); Song, Miller & Abbott 2000
// (additive); van Rossum, Bi & Turrigiano 2000 (multiplicative); Morrison,
// Diesmann & Gerstner 2008, Biol. Cybern. 98:459, eqs. 3-4 and 8-9 (traces,
// all-to-all vs nearest pairing); Pfister & Gerstner 2006 (triplet);
// Diehl & Cook 2015, Front. Comput. Neurosci. 9:99, eq. 3 and their code
// (pre: x = 1, w -= nu_pre y; post: w += nu_post x z, y = z = 1).
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "learn/plastic_projection.h"

namespace spikeforge {

enum class StdpPairing { Nearest, All };
enum class StdpUpdate { Additive, Multiplicative };
StdpPairing parse_stdp_pairing(const std::string& s);  // throws ConfigError
StdpUpdate parse_stdp_update(const std::string& s);    // throws ConfigError
const char* stdp_pairing_name(StdpPairing p);
const char* stdp_update_name(StdpUpdate u);

struct StdpParams {
  StdpPairing pairing = StdpPairing::Nearest;
  StdpUpdate update = StdpUpdate::Additive;
  bool triplet = true;
  float nu_pre = 1e-4f, nu_post = 1e-2f;
  float tau_pre = 20.f, tau_post = 20.f, tau_post_slow = 40.f;  // ms
  float w_min = 0.f, w_max = 1.f;
  float norm_sum = 78.f;
};

// Trace decay and jump, shared by every trace of a rule.
struct SpikeTrace {
  float a;     // exp(-dt / tau), per step
  bool reset;  // nearest pairing: jump to 1; all-to-all: add 1
  float decay(float x) const { return a * x; }
  float jump(float x) const { return reset ? 1.f : x + 1.f; }
};

inline SpikeTrace make_trace(float tau_ms, float dt_ms, StdpPairing p) {
  return {std::exp(-dt_ms / tau_ms), p == StdpPairing::Nearest};
}

template <StdpUpdate U>
struct StdpRule {
  float nu_pre, nu_post, w_min, w_max;
  bool triplet;

  float clip(float w) const { return std::min(w_max, std::max(w_min, w)); }
  // y: postsynaptic trace of the synapse's target
  float on_pre(float w, float y) const {
    if constexpr (U == StdpUpdate::Additive)
      return clip(w - nu_pre * y);
    else
      return clip(w - nu_pre * y * (w - w_min));
  }
  // x: presynaptic trace of the synapse's source; z: slow postsynaptic trace before its jump
  float on_post(float w, float x, float z) const {
    const float f = triplet ? z : 1.f;
    if constexpr (U == StdpUpdate::Additive)
      return clip(w + nu_post * x * f);
    else
      return clip(w + nu_post * x * f * (w_max - w));
  }
};

template <StdpUpdate U>
StdpRule<U> make_stdp_rule(const StdpParams& p) {
  return {p.nu_pre, p.nu_post, p.w_min, p.w_max, p.triplet};
}

// The traces and rule of one projection, built once per (params, dt).
struct StdpKernel {
  StdpParams p;
  SpikeTrace pre, post, slow;
  StdpKernel(const StdpParams& params, float dt_ms);
  // One step on W [I, O] in the order atop this file: decay x [I], y [O],
  // z [O]; jump x at s_pre; on_pre; on_post; jump y, z at s_post.
  void step(SimEngine e, float* W, int I, int O, float* x, float* y, float* z, const SpikeSet& s_pre,
            const SpikeSet& s_post) const;
};

// w [I, O]: scales column j to sum to `target` (columns that sum to 0 stay 0).
void normalize_incoming(float* w, int I, int O, float target);

}  // namespace spikeforge
