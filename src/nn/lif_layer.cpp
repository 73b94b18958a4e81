#include "nn/lif_layer.h"

#include "nn/neuron_scan.h"

namespace spikeforge {

LifLayer::LifLayer(FeatShape in, SpikingParams p, bool is_if) : p_(p), is_if_(is_if) {
  if (is_if_) p_.lif.beta = 1.f;
  in_ = out_ = in;
}

void LifLayer::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  Layer::prepare(Tin, T, B);
  v_.resize({T, B, in_.size()});
}

void LifLayer::forward(const float* in, float* out, bool) {
  const int64_t n = int64_t(B_) * in_.size();
  const LifParams& q = p_.lif;
  if (q.reset == ResetKind::Soft)
    spikes_ +=
        lif_forward_scan(LifNeuron<ResetKind::Soft>{q.beta, q.theta, q.detach_reset}, in, Tin_, T_, n, v_.data(), out);
  else
    spikes_ +=
        lif_forward_scan(LifNeuron<ResetKind::Hard>{q.beta, q.theta, q.detach_reset}, in, Tin_, T_, n, v_.data(), out);
}

// Picks the reset rule and surrogate once, outside the loops.
template <ResetKind R>
static void backward_with(const LifNeuron<R>& m, const SpikingParams& p, const float* v, const float* dout, int Tin,
                          int T, int64_t n, float* din) {
  visit_surrogate(p.surrogate, p.surrogate_width, p.surrogate_band,
                  [&](auto g) { lif_backward_scan(m, g, v, dout, Tin, T, n, din); });
}

void LifLayer::backward(const float* dout, float* din) {
  if (!din) return;  // nothing upstream needs it, and a neuron layer has no parameters
  const int64_t n = int64_t(B_) * in_.size();
  const LifParams& q = p_.lif;
  if (q.reset == ResetKind::Soft)
    backward_with(LifNeuron<ResetKind::Soft>{q.beta, q.theta, q.detach_reset}, p_, v_.data(), dout, Tin_, T_, n, din);
  else
    backward_with(LifNeuron<ResetKind::Hard>{q.beta, q.theta, q.detach_reset}, p_, v_.data(), dout, Tin_, T_, n, din);
}

}  // namespace spikeforge
