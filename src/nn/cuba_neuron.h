// Current-based LIF: the input charges a synaptic current that decays with
// its own time constant and drives the membrane (snnTorch's Synaptic, NIR's
// CubaLIF). Per element, dt = 1 step:
//
//   i_t = alpha i_{t-1} + x_t                     synaptic current (i_{-1} = 0)
//   v_t = beta r_{t-1} + i_t                      membrane (r_{-1} = 0)
//   s_t = m_t H(v_t - theta)                      fire (m_t: 0 while refractory)
//   soft: r_t = v_t - theta s_t   hard: r_t = v_t (1 - s_t)
//
// snnTorch's Synaptic subtracts the reset of s_{t-1} inside step t; here the
// reset of s_t is applied at t (as nn/lif_neuron.h), a one-step shift of the
// same dynamics. NIR CubaLIF (tau_syn, tau_mem, dt) maps to alpha = 1 - dt/tau_syn,
// beta = 1 - dt/tau_mem with the input scaled by dt/tau_syn and R dt/tau_mem.
//
// Backward (BPTT), g = m_t surrogate'(v_t - theta), carried dv_{t+1} and di_{t+1}:
//   dr_t = beta dv_{t+1}
//   soft: dv_t = ds_t g + dr_t (1 - theta g)      hard: dv_t = ds_t g + dr_t ((1 - s_t) - v_t g)
//   di_t = dv_t + alpha di_{t+1};   dx_t = di_t;   dbeta = sum_t dv_t r_{t-1}
//
// | parameter | default | unit | meaning                          |
// | alpha     | 0.8     | -    | synaptic current decay per step  |
// | beta      | 0.9     | -    | membrane decay per step          |
// | theta     | 1.0     | a.u. | threshold                        |
// State: r, i [B, N]; saved per step: v [T, B, N].
// Reference: Zenke & Ganguli 2018 (SuperSpike) eqs. 1-2 in discrete time;
// snnTorch snn.Synaptic; NIR CubaLIF (Pedersen et al. 2024).
#pragma once
#include "nn/lif_neuron.h"

namespace spikeforge {

template <ResetKind R>
struct CubaNeuron {
  float theta, alpha;
  bool detach_reset;

  struct State {
    float r = 0.f, i = 0.f;
  };
  struct Saved {
    float v;
  };
  struct Adjoint {
    float dv = 0.f, di = 0.f;  // dL/dv_{t+1} and dL/di_{t+1} before a backward step
  };

  float forward(State& st, float x, float beta, float /*gamma*/, float m, Saved& sv) const {
    st.i = alpha * st.i + x;               // i_t = alpha i_{t-1} + x_t
    const float v = beta * st.r + st.i;    // v_t = beta r_{t-1} + i_t
    const float s = v >= theta ? m : 0.f;  // s_t = m_t H(v_t - theta)
    sv.v = v;
    st.r = post_reset(sv, s);
    return s;
  }
  template <class G>
  float backward(Adjoint& ad, const Saved& sv, float s, float ds, float beta, float /*gamma*/, float m, G g) const {
    const float gs = m * g.grad(sv.v - theta);
    const float dr = beta * ad.dv;
    const float dv = reset_membrane_dv<R>(sv.v, s, ds, dr, gs, theta, detach_reset);
    const float di = dv + alpha * ad.di;  // di_t = dv_t + alpha di_{t+1}
    ad.dv = dv;
    ad.di = di;
    return di;  // dx_t = di_t
  }
  float post_reset(const Saved& sv, float s) const { return reset_membrane<R>(sv.v, s, theta); }
};

}  // namespace spikeforge
