// Voltage-dependent synaptic plasticity (VDSP) as a weight-update model with
// an on-postsynaptic-spike update only: when neuron j spikes, every synapse
// i -> j changes by an amount set by the presynaptic membrane v_i at that
// step (after the presynaptic neurons' own reset), with no traces:
//
//   v_i < 0 (i fired recently; reset below rest):  w <- w + eta (1 - w) (e^{|v_i|} - 1)
//   v_i > 0 (i charging, silent lately):           w <- w - eta w (e^{|v_i|} - 1)
//   v_i = 0:                                       unchanged
//   then clipped to [0, 1]; the (1 - w) and w factors alone keep w in [0, 1]
//   while eta (e^{|v|} - 1) <= 1, the clip guards rounding.
//
// No on-presynaptic-spike update. The presynaptic neurons must be spiking
// neurons with a membrane (learn/vdsp_wta.h: LIF inputs reset to -1), not
// Poisson sources.
//
// | parameter | default | unit | meaning                         |
// | eta       | 1e-3    | -    | learning rate                   |
// State: w [I, O]; reads v [I] of the presynaptic population.
// Reference: Garg, Balafrej, Stewart, Portal, Bocquet, Querlioz, Drouin,
// Rouat, Beilliard, Alibart 2022, Front. Neurosci. 16:983950, eqs. 3-4
// (rule as in the public re-implementation: dw = lr ((1 - w) f [v < 0] - w f [v > 0]),
// f = exp(|v|) - 1).
#pragma once
#include <algorithm>
#include <cmath>

namespace spikeforge {

struct VdspRule {
  float eta;
  // f = e^{|v_pre|} - 1, computed once per presynaptic neuron and post spike
  static float magnitude(float v_pre) { return std::expm1(std::fabs(v_pre)); }
  // w: the synapse's weight; v_pre: presynaptic membrane; f = magnitude(v_pre)
  float on_post(float w, float v_pre, float f) const {
    float d = 0.f;
    if (v_pre < 0.f) d = eta * (1.f - w) * f;
    if (v_pre > 0.f) d = -eta * w * f;
    return std::min(1.f, std::max(0.f, w + d));
  }
};

}  // namespace spikeforge
