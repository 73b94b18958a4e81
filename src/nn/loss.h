// Losses on the network's output sequence out [T, B, K] (K classes), with the
// gradient dout [T, B, K] written (overwritten) in the same pass.
//
//   ce_count:    z = sum_t out_t                  L = mean_b CE(softmax(z), y)
//                dout_t = (softmax(z) - onehot(y)) / B
//   ce_mem_mean: z = (1/T) sum_t out_t            dout_t = (softmax(z) - onehot(y)) / (B T)
//   ce_mem_max:  z = max_t out_t                  dout_t = (softmax(z) - onehot(y)) / B at the argmax t, else 0
//   ce_mem_last: z = out_{T-1}                    dout_t = (softmax(z) - onehot(y)) / B at t = T-1, else 0
//                (the read-out of a converted SNN: its membrane after the last step)
//   mse_count:   c = sum_t out_t, target c* = T (correct_rate for y, incorrect_rate otherwise)
//                L = mean_{b,k} (c - c*)^2        dout_t = 2 (c - c*) / (B K)
//                (snnTorch's mse_count_loss, defaults 1.0 / 0.0 here)
// Label smoothing e (the ce_* losses, as PyTorch's CrossEntropyLoss(label_smoothing = e)):
//   the target is q = (1 - e) onehot(y) + e / K, L = -sum_k q_k log softmax(z)_k,
//   and (softmax(z) - q) replaces (softmax(z) - onehot(y)) above.
// The prediction is argmax_k z (first maximum on ties).
#pragma once
#include <string>

#include "core/tensor.h"

namespace spikeforge {

enum class LossKind { CeCount, CeMemMean, CeMemMax, MseCount, CeMemLast };
LossKind parse_loss_kind(const std::string& s);  // throws ConfigError
const char* loss_name(LossKind k);

struct LossParams {
  LossKind kind = LossKind::CeMemMean;
  float correct_rate = 1.f;     // mse_count
  float incorrect_rate = 0.f;   // mse_count
  float label_smoothing = 0.f;  // ce_*: e in [0, 1)
};

struct LossResult {
  double loss = 0;  // mean over the batch
  int correct = 0;  // predictions equal to the label
};

// pred (optional, [B]) receives the predicted classes; dout may be nullptr (evaluation).
LossResult loss_forward_backward(const LossParams& p, const float* out, int T, int B, int K, const int* labels,
                                 float* dout, int* pred = nullptr);

}  // namespace spikeforge
