// LIF neuron in the form the stateful scans (nn/state_scan.h) take: the
// plain LIF of nn/lif_neuron.h plus an optional refractory period and a
// decay beta that may be learned (PLIF, Fang et al. 2021). Per element, dt = 1 step:
//
//   v_t = beta r_{t-1} + x_t                      integrate (r_{-1} = 0)
//   s_t = m_t H(v_t - theta)                      fire; m_t = 0 while refractory, else 1
//   soft: r_t = v_t - theta s_t   hard: r_t = v_t (1 - s_t)
//   refractory R: m_t = 0 for the R steps after a spike (the membrane keeps integrating)
//   PLIF: beta = sigmoid(p), p learned per layer or per neuron
//
// Backward (BPTT), g = m_t surrogate'(v_t - theta):
//   dr_t = beta dv_{t+1}
//   soft: dv_t = ds_t g + dr_t (1 - theta g)      hard: dv_t = ds_t g + dr_t ((1 - s_t) - v_t g)
//   detach_reset drops the g-terms of the reset;  dx_t = dv_t
//   dbeta = sum_t dv_t r_{t-1},  dp = dbeta beta (1 - beta)
//
// | parameter    | default | unit  | meaning                                   |
// | beta         | 0.9     | -     | membrane decay per step (initial, PLIF)   |
// | theta        | 1.0     | a.u.  | firing threshold                          |
// | refractory   | 0       | steps | steps after a spike without firing        |
// State: r (post-reset membrane) [B, N]; saved per step: v [T, B, N].
// Reference: Fang et al. 2021, "Incorporating learnable membrane time constant
// to enhance learning of spiking neural networks", eqs. 1-4 (beta = 1 - 1/tau).
#pragma once
#include "nn/lif_neuron.h"

namespace spikeforge {

template <ResetKind R>
struct PlifNeuron {
  float theta;
  bool detach_reset;

  struct State {
    float r = 0.f;
  };
  struct Saved {
    float v;
  };
  struct Adjoint {
    float dv = 0.f;  // dL/dv_{t+1} before a backward step, dL/dv_t after
  };

  // One step; m = 1 if the neuron may fire. Returns s_t.
  float forward(State& st, float x, float beta, float /*gamma*/, float m, Saved& sv) const {
    const float v = beta * st.r + x;       // v_t = beta r_{t-1} + x_t
    const float s = v >= theta ? m : 0.f;  // s_t = m_t H(v_t - theta)
    st.r = post_reset(Saved{v}, s);        // r_t
    sv.v = v;
    return s;
  }
  // One step back from ds_t = dL/ds_t; returns dx_t.
  template <class G>
  float backward(Adjoint& ad, const Saved& sv, float s, float ds, float beta, float /*gamma*/, float m, G g) const {
    const float gs = m * g.grad(sv.v - theta);  // ds_t/dv_t
    const float dr = beta * ad.dv;              // dr_t = beta dv_{t+1}
    const float dv = reset_membrane_dv<R>(sv.v, s, ds, dr, gs, theta, detach_reset);
    ad.dv = dv;
    return dv;  // dx_t = dv_t
  }
  float post_reset(const Saved& sv, float s) const { return reset_membrane<R>(sv.v, s, theta); }
};

}  // namespace spikeforge
