// Optimisers over the network's flat parameter and gradient buffers: one loop
// over all parameters, no per-layer bookkeeping. State (momentum, Adam
// moments) is one flat buffer too, so it checkpoints as one array.
//
//   sgd:   m <- mu m + (g + wd p);  p <- p - lr m                  (PyTorch SGD, dampening 0)
//   adam:  g' = g + wd p  (L2 in the gradient)
//   adamw: p <- p (1 - lr wd)  (decoupled decay), g' = g
//          m <- b1 m + (1 - b1) g';  v <- b2 v + (1 - b2) g'^2
//          p <- p - lr (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps)   (k = step count)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spikeforge {

enum class OptimizerKind { Sgd, Adam, AdamW };
OptimizerKind parse_optimizer_kind(const std::string& s);  // throws ConfigError

struct OptimizerParams {
  OptimizerKind kind = OptimizerKind::Adam;
  float momentum = 0.9f;  // sgd
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  float weight_decay = 0.f;
};

class Optimizer {
 public:
  Optimizer(OptimizerParams p, int64_t n);
  void step(float* params, const float* grads, int64_t n, float lr);
  // State for checkpoints: [step count, m..., v...] as floats (count is exact below 2^24).
  std::vector<float> state() const;
  void load_state(const std::vector<float>& s, const std::string& origin);

 private:
  OptimizerParams p_;
  int64_t steps_ = 0;
  std::vector<float> m_, v_;
};

}  // namespace spikeforge
