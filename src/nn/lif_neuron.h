// Leaky integrate-and-fire neuron (discrete time, dt = 1 step), and IF as its
// beta = 1 case. Per-element maths only; the loops live in neuron_scan.h.
//
//   v_t  = beta * r_{t-1} + x_t             integrate (r_{-1} = 0)
//   s_t  = H(v_t - theta)                   fire
//   soft reset:  r_t = v_t - theta * s_t    (reset by subtraction)
//   hard reset:  r_t = v_t * (1 - s_t)      (reset to zero)
//
// Backward (BPTT), with g = surrogate'(v_t - theta) standing in for dH/du:
//   dr_t = beta * dv_{t+1}                  (dv_T = 0)
//   soft: dv_t = ds_t g + dr_t (1 - theta g)
//   hard: dv_t = ds_t g + dr_t ((1 - s_t) - v_t g)
//   with detach_reset the g-terms of the reset vanish: dv_t = ds_t g + dr_t dr/dv|_s
//   dx_t = dv_t
//
// | parameter      | default | unit  | meaning                                   |
// | beta           | 0.9     | -     | membrane decay per step, exp(-dt/tau_mem) |
// | theta          | 1.0     | a.u.  | firing threshold                          |
// | reset          | soft    | -     | soft (subtract theta) or hard (to zero)   |
// | detach_reset   | false   | -     | drop the reset's surrogate path in BPTT   |
// State: v (pre-reset membrane) [T, B, N], kept for backward.
// Reference: Neftci, Mostafa, Zenke 2019, "Surrogate gradient learning in SNNs", eqs. 2-4.
#pragma once
#include <string>

namespace spikeforge {

enum class ResetKind { Soft, Hard };
ResetKind parse_reset_kind(const std::string& s);  // throws ConfigError

struct LifParams {
  float beta = 0.9f;
  float theta = 1.f;
  ResetKind reset = ResetKind::Soft;
  bool detach_reset = false;
};

// The reset r_t(v_t, s_t) and dv_t through it, shared by every model whose
// threshold is a constant theta (LIF, PLIF, CUBA, AHP).
template <ResetKind R>
float reset_membrane(float v, float s, float theta) {
  if constexpr (R == ResetKind::Soft)
    return v - theta * s;
  else
    return v * (1.f - s);
}
// dv_t from the spike gradient ds, the carried dr_t and the surrogate g.
template <ResetKind R>
float reset_membrane_dv(float v, float s, float ds, float dr, float g, float theta, bool detach_reset) {
  if constexpr (R == ResetKind::Soft)
    return ds * g + dr * (detach_reset ? 1.f : 1.f - theta * g);
  else
    return ds * g + dr * ((1.f - s) - (detach_reset ? 0.f : v * g));
}

template <ResetKind R>
struct LifNeuron {
  float beta, theta;
  bool detach_reset;

  float integrate(float r_prev, float x) const { return beta * r_prev + x; }
  float fire(float v) const { return v >= theta ? 1.f : 0.f; }
  float reset(float v, float s) const { return reset_membrane<R>(v, s, theta); }
  float dv(float v, float s, float ds, float dr, float g) const {
    return reset_membrane_dv<R>(v, s, ds, dr, g, theta, detach_reset);
  }
};

}  // namespace spikeforge
