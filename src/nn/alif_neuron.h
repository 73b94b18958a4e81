// Adaptive-threshold LIF (ALIF), the adaptive neuron of LSNNs: every spike
// raises the neuron's threshold, which relaxes back with a slow time constant
// (spike-frequency adaptation). Per element, dt = 1 step:
//
//   v_t = beta r_{t-1} + x_t                      integrate (r_{-1} = 0)
//   A_t = theta + gamma a_{t-1}                   adaptive threshold (a_{-1} = 0)
//   s_t = m_t H(v_t - A_t)                        fire (m_t: 0 while refractory)
//   soft: r_t = v_t - A_t s_t   hard: r_t = v_t (1 - s_t)
//   a_t = rho a_{t-1} + (1 - rho) s_t             rho = exp(-1 / tau_adapt)
//
// Backward (BPTT), g = m_t surrogate'(v_t - A_t); the adaptation stays in the
// graph (a is not detached), carried adjoints dv_{t+1} and da_t:
//   dr_t  = beta dv_{t+1}
//   dS_t  = ds_t + (1 - rho) da_t + dr_t dr/ds    (soft dr/ds = -A_t, hard -v_t; 0 with detach_reset)
//   dv_t  = dS_t g + dr_t dr/dv                   (soft 1, hard 1 - s_t)
//   dA_t  = -dS_t g + dr_t dr/dA                  (soft -s_t, hard 0)
//   da_{t-1} = rho da_t + gamma dA_t;   dx_t = dv_t;   dbeta = sum_t dv_t r_{t-1}
//
// | parameter      | default | unit  | meaning                                       |
// | beta           | 0.9     | -     | membrane decay per step                       |
// | theta          | 1.0     | a.u.  | baseline threshold                            |
// | tau_adapt      | 100     | steps | adaptation time constant                      |
// | adapt_strength | 1.8     | a.u.  | gamma: threshold rise per unit of a           |
// State: r, a [B, N]; saved per step: v, A [T, B, N].
// Reference: Bellec, Salaj, Subramoney, Legenstein, Maass 2018, "Long short-term
// memory and learning-to-learn in networks of spiking neurons", Methods eqs. 1-2.
#pragma once
#include "nn/lif_neuron.h"

namespace spikeforge {

template <ResetKind R>
struct AlifNeuron {
  float theta, rho;
  bool detach_reset;

  struct State {
    float r = 0.f, a = 0.f;
  };
  struct Saved {
    float v, A;
  };
  struct Adjoint {
    float dv = 0.f, da = 0.f;  // dL/dv_{t+1} and dL/da_t before a backward step
  };

  float forward(State& st, float x, float beta, float gamma, float m, Saved& sv) const {
    const float v = beta * st.r + x;       // v_t = beta r_{t-1} + x_t
    const float A = theta + gamma * st.a;  // A_t = theta + gamma a_{t-1}
    const float s = v >= A ? m : 0.f;      // s_t = m_t H(v_t - A_t)
    sv.v = v;
    sv.A = A;
    st.r = post_reset(sv, s);             // r_t
    st.a = rho * st.a + (1.f - rho) * s;  // a_t = rho a_{t-1} + (1 - rho) s_t
    return s;
  }
  template <class G>
  float backward(Adjoint& ad, const Saved& sv, float s, float ds, float beta, float gamma, float m, G g) const {
    const float gs = m * g.grad(sv.v - sv.A);
    const float dr = beta * ad.dv;  // dr_t = beta dv_{t+1}
    float dS = ds + (1.f - rho) * ad.da, dv, dA;
    if constexpr (R == ResetKind::Soft) {
      if (!detach_reset) dS -= dr * sv.A;  // dr/ds = -A_t
      dv = dS * gs + dr;                   // dr/dv = 1
      dA = -dS * gs - dr * s;              // dr/dA = -s_t
    } else {
      if (!detach_reset) dS -= dr * sv.v;  // dr/ds = -v_t
      dv = dS * gs + dr * (1.f - s);       // dr/dv = 1 - s_t
      dA = -dS * gs;
    }
    ad.da = rho * ad.da + gamma * dA;  // da_{t-1} = rho da_t + gamma dA_t
    ad.dv = dv;
    return dv;
  }
  float post_reset(const Saved& sv, float s) const {
    if constexpr (R == ResetKind::Soft)
      return sv.v - sv.A * s;
    else
      return sv.v * (1.f - s);
  }
};

}  // namespace spikeforge
