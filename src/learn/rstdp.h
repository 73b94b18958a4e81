// Reward-modulated STDP with eligibility traces (MSTDPET): STDP pairings
// are not applied to the weight but accumulated into a decaying
// eligibility trace per synapse, which a global reward (dopamine) d(t)
// turns into weight changes.
//
// Per step, as coded (a = exp(-dt / tau)):
//   decay:   P+_i <- a_plus P+_i,  P-_j <- a_minus P-_j,  z_ij <- a_z z_ij
//   jumps:   P+_i += A_plus  at a presynaptic spike of i
//            P-_j -= A_minus at a postsynaptic spike of j      (P- <= 0)
//   on_pre  (spike of i, every synapse i -> j):  z_ij <- z_ij + P-_j   (post before pre: depressing)
//   on_post (spike of j, every synapse i -> j):  z_ij <- z_ij + P+_i   (pre before post: potentiating)
//   reward  (every step with d(t) != 0):         w_ij <- clip(w_ij + eta d(t) z_ij, w_min, w_max)
// So a single pre-then-post pair d steps apart leaves z = A_plus a_plus^d,
// which then decays with tau_z; the weight moves by eta sum_t d(t) z(t).
//
// Event-driven, z is decayed lazily: each synapse keeps the step of its last
// update and multiplies by a_z once per step missed before it is read, so
// both simulations compute the same products (learn/plastic_projection.h).
//
// | parameter  | default | unit | meaning                                  |
// | eta        | 1e-3    | -    | learning rate                            |
// | a_plus     | 1       | -    | pre trace jump (A_plus)                  |
// | a_minus    | 1       | -    | post trace jump (A_minus, subtracted)    |
// | tau_plus   | 20      | ms   | presynaptic trace                        |
// | tau_minus  | 20      | ms   | postsynaptic trace                       |
// | tau_z      | 25      | ms   | eligibility trace                        |
// | w_min/max  | 0, 1    | -    | weight bounds                            |
// State: w, z [I, O]; P+ [I]; P- [O]; last-update step [I, O] (event-driven).
// References: Florian 2007, Neural Comput. 19:1468, eqs. 16-18 (MSTDPET);
// Izhikevich 2007, Cereb. Cortex 17:2443 (eligibility + dopamine);
// bindsnet MSTDPET as used by BioLCNet (Ghaemi et al. 2021).
#pragma once
#include <algorithm>
#include <cmath>

#include "learn/plastic_projection.h"

namespace spikeforge {

struct RstdpParams {
  float eta = 1e-3f, a_plus = 1.f, a_minus = 1.f;
  float tau_plus = 20.f, tau_minus = 20.f, tau_z = 25.f;  // ms
  float w_min = 0.f, w_max = 1.f;
};

struct RstdpRule {
  float eta, w_min, w_max;
  float on_pre(float z, float p_minus) const { return z + p_minus; }
  float on_post(float z, float p_plus) const { return z + p_plus; }
  float on_reward(float w, float z, float d) const { return std::min(w_max, std::max(w_min, w + eta * d * z)); }
};

// One projection's R-STDP, built once per (params, dt).
struct RstdpKernel {
  RstdpParams p;
  float a_plus, a_minus, a_z;
  RstdpKernel(const RstdpParams& params, float dt_ms);
  // Step t (the order atop this file) on W, z [I, O] with traces p_plus [I],
  // p_minus [O] and reward d. z_step [I, O]: the step up to which each z has
  // been decayed (event-driven; -1 at the start of a sample).
  void step(SimEngine e, int t, float* W, float* z, int* z_step, int I, int O, float* p_plus, float* p_minus,
            const SpikeSet& s_pre, const SpikeSet& s_post, float d) const;
};

}  // namespace spikeforge
