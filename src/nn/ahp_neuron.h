// LIF with an after-hyperpolarising (AHP) current: every spike starts a slow
// negative current that the membrane integrates, so a neuron that fired
// recently is held down for a long time (spike-frequency adaptation acting on
// the membrane, not on the threshold as in nn/alif_neuron.h; the two agree
// only up to scaling). Per element, dt = 1 step:
//
//   v_t = beta r_{t-1} + x_t - gamma a_{t-1}      integrate the input and the AHP current (r_{-1} = a_{-1} = 0)
//   s_t = m_t H(v_t - theta)                      fire (m_t: 0 while refractory)
//   soft: r_t = v_t - theta s_t   hard: r_t = v_t (1 - s_t)
//   a_t = rho a_{t-1} + (1 - rho) s_t             slow AHP trace, rho = exp(-1 / tau_adapt)
//
// Backward (BPTT), g = m_t surrogate'(v_t - theta), carried dv_{t+1} and da_t:
//   dr_t  = beta dv_{t+1}
//   dS_t  = ds_t + (1 - rho) da_t + dr_t dr/ds    (soft -theta, hard -v_t; 0 with detach_reset)
//   dv_t  = dS_t g + dr_t dr/dv                   (soft 1, hard 1 - s_t)
//   da_{t-1} = rho da_t - gamma dv_t;   dx_t = dv_t;   dbeta = sum_t dv_t r_{t-1}
//
// | parameter      | default | unit  | meaning                                      |
// | beta           | 0.9     | -     | membrane decay per step                      |
// | theta          | 1.0     | a.u.  | threshold                                    |
// | tau_adapt      | 100     | steps | AHP current time constant (>> 1/(1-beta))    |
// | adapt_strength | 1.8     | a.u.  | gamma: AHP current per unit of a             |
// State: r, a [B, N]; saved per step: v [T, B, N].
// Reference: Rao, Plank, Wild, Maass 2022, "A long short-term memory for AI
// applications in spike-based neuromorphic hardware", Nat. Mach. Intell. 4:467
// (AHP neurons; compact form as in NOTES.md section 2).
#pragma once
#include "nn/lif_neuron.h"

namespace spikeforge {

template <ResetKind R>
struct AhpNeuron {
  float theta, rho;
  bool detach_reset;

  struct State {
    float r = 0.f, a = 0.f;
  };
  struct Saved {
    float v;
  };
  struct Adjoint {
    float dv = 0.f, da = 0.f;
  };

  float forward(State& st, float x, float beta, float gamma, float m, Saved& sv) const {
    const float v = beta * st.r + x - gamma * st.a;  // v_t = beta r_{t-1} + x_t - gamma a_{t-1}
    const float s = v >= theta ? m : 0.f;            // s_t = m_t H(v_t - theta)
    sv.v = v;
    st.r = post_reset(sv, s);
    st.a = rho * st.a + (1.f - rho) * s;  // a_t = rho a_{t-1} + (1 - rho) s_t
    return s;
  }
  template <class G>
  float backward(Adjoint& ad, const Saved& sv, float s, float ds, float beta, float gamma, float m, G g) const {
    const float gs = m * g.grad(sv.v - theta);
    const float dr = beta * ad.dv;
    float dS = ds + (1.f - rho) * ad.da, dv;
    if constexpr (R == ResetKind::Soft) {
      if (!detach_reset) dS -= dr * theta;
      dv = dS * gs + dr;
    } else {
      if (!detach_reset) dS -= dr * sv.v;
      dv = dS * gs + dr * (1.f - s);
    }
    ad.da = rho * ad.da - gamma * dv;  // da_{t-1} = rho da_t - gamma dv_t
    ad.dv = dv;
    return dv;
  }
  float post_reset(const Saved& sv, float s) const { return reset_membrane<R>(sv.v, s, theta); }
};

}  // namespace spikeforge
