#include "learn/bptt.h"

namespace spikeforge {

BpttLearner::BpttLearner(Network& net, LossParams loss, OptimizerParams opt)
    : net_(net), loss_(loss), opt_(opt, static_cast<int64_t>(net.params().size())) {}

LossResult BpttLearner::step(const float* x, int Tin, int T, int B, const int* labels, float lr) {
  net_.prepare(Tin, T, B);
  const float* out = net_.forward(x, /*train=*/true);
  const int K = static_cast<int>(net_.output_shape().size()), To = net_.out_steps();
  if (dout_.numel() != int64_t(To) * B * K) dout_.resize({To, B, K});
  LossResult r = loss_forward_backward(loss_, out, To, B, K, labels, dout_.data());
  net_.zero_grad();
  net_.backward(dout_.data());
  opt_.step(net_.params().data(), net_.grads().data(), static_cast<int64_t>(net_.params().size()), lr);
  return r;
}

LossResult BpttLearner::evaluate(const float* x, int Tin, int T, int B, const int* labels) {
  net_.prepare(Tin, T, B);
  const float* out = net_.forward(x, /*train=*/false);
  const int K = static_cast<int>(net_.output_shape().size());
  return loss_forward_backward(loss_, out, net_.out_steps(), B, K, labels, nullptr);
}

}  // namespace spikeforge
