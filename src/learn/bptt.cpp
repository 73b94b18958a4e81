#include "learn/bptt.h"

#include <algorithm>

#include "core/error.h"
#include "learn/grad_clip.h"
#include "nn/stateful.h"

namespace spikeforge {

BpttLearner::BpttLearner(Network& net, LossParams loss, OptimizerParams opt, BpttParams bp)
    : net_(net), loss_(loss), opt_(opt, static_cast<int64_t>(net.params().size())), bp_(bp) {}

LossResult BpttLearner::step(const float* x, int Tin, int T, int B, const int* labels, float lr) {
  if (bp_.truncation > 0 && T > bp_.truncation) return truncated_step(x, Tin, T, B, labels, lr);
  net_.prepare(Tin, T, B);
  const float* out = net_.forward(x, /*train=*/true);
  const int K = static_cast<int>(net_.output_shape().size()), To = net_.out_steps();
  if (dout_.numel() != int64_t(To) * B * K) dout_.resize({To, B, K});
  LossResult r = loss_forward_backward(loss_, out, To, B, K, labels, dout_.data());
  net_.zero_grad();
  net_.backward(dout_.data());
  if (bp_.clip_norm > 0) grad_norm_ = clip_grad_norm(net_.grads().data(), int64_t(net_.grads().size()), bp_.clip_norm);
  opt_.step(net_.params().data(), net_.grads().data(), static_cast<int64_t>(net_.params().size()), lr);
  return r;
}

LossResult BpttLearner::evaluate(const float* x, int Tin, int T, int B, const int* labels) {
  net_.prepare(Tin, T, B);
  const float* out = net_.forward(x, /*train=*/false);
  const int K = static_cast<int>(net_.output_shape().size());
  return loss_forward_backward(loss_, out, net_.out_steps(), B, K, labels, nullptr);
}

// Chunks of K steps; the stateful layers carry their state from chunk to chunk.
LossResult BpttLearner::truncated_step(const float* x, int Tin, int T, int B, const int* labels, float lr) {
  std::vector<StateCarrier*> carriers;
  for (auto& l : net_.layers()) {
    auto* c = dynamic_cast<StateCarrier*>(l.get());
    if (c)
      carriers.push_back(c);
    else if (l->spiking() || l->kind() == "readout")
      throw ConfigError("bptt.truncation = " + std::to_string(bp_.truncation) + ": layer " + l->kind() +
                        " cannot carry its state across chunks, expected stateful layers of types alif, ahp, cuba, "
                        "plif, recurrent (or lif with refractory/learn_beta) and a linear read-out");
  }
  for (StateCarrier* c : carriers) c->reset_state(), c->set_carry_state(true);
  const int64_t in_step = int64_t(B) * net_.input_shape().size();
  const int K = static_cast<int>(net_.output_shape().size());
  net_.zero_grad();
  LossResult total;
  for (int t0 = 0; t0 < T; t0 += bp_.truncation) {
    const int k = std::min(bp_.truncation, T - t0), tin = Tin == 1 ? 1 : k;
    net_.prepare(tin, k, B);
    const float* out = net_.forward(x + (Tin == 1 ? 0 : int64_t(t0) * in_step), /*train=*/true);
    const int To = net_.out_steps();
    if (dout_.numel() < int64_t(To) * B * K) dout_.resize({To, B, K});
    const LossResult r = loss_forward_backward(loss_, out, To, B, K, labels, dout_.data());
    const float w = float(k) / float(T);  // the chunk's share of the sequence
    for (int64_t i = 0; i < int64_t(To) * B * K; ++i) dout_[i] *= w;
    total.loss += w * r.loss;
    total.correct = r.correct;    // the last chunk's prediction, which has seen the whole sequence
    net_.backward(dout_.data());  // parameter gradients accumulate over the chunks
  }
  for (StateCarrier* c : carriers) c->set_carry_state(false);
  if (bp_.clip_norm > 0) grad_norm_ = clip_grad_norm(net_.grads().data(), int64_t(net_.grads().size()), bp_.clip_norm);
  opt_.step(net_.params().data(), net_.grads().data(), static_cast<int64_t>(net_.params().size()), lr);
  return total;
}

}  // namespace spikeforge
