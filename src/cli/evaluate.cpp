#include "cli/evaluate.h"

#include <chrono>
#include <vector>

#include "core/tensor.h"
#include "data/batcher.h"
#include "data/encoder.h"
#include "nn/loss.h"

namespace spikeforge {

EvalResult evaluate_dataset(Network& net, const TrainConfig& cfg, const ImageDataset& ds, uint64_t key) {
  const auto t0 = std::chrono::steady_clock::now();
  const int T = cfg.timesteps, Bmax = cfg.batch_size, Tin = encoded_steps(cfg.encoder.kind, T);
  const int64_t F = ds.features();
  const int K = static_cast<int>(net.output_shape().size());
  Batcher batches(ds.count, Bmax, /*shuffle=*/false, /*drop_last=*/false, cfg.seed);
  batches.start_epoch(0);
  Tensor x({Bmax, F}), enc({Tin, Bmax, F});
  std::vector<int> y(Bmax);
  Rng rng = Rng(cfg.seed).derive(key);
  DenseEngine engine(net);
  EvalResult r;
  double loss_sum = 0;
  int64_t correct = 0;
  for (int i = 0; i < batches.num_batches(); ++i) {
    const int B = batches.batch_len(i);
    batches.gather(ds, i, x.data(), y.data());
    encode(cfg.encoder, x.data(), B, F, T, rng, enc.data());
    const float* out = engine.run(enc.data(), Tin, T, B);
    LossResult lr = loss_forward_backward(cfg.loss, out, net.out_steps(), B, K, y.data(), nullptr);
    loss_sum += lr.loss * B;
    correct += lr.correct;
    r.samples += B;
  }
  r.accuracy = r.samples ? double(correct) / double(r.samples) : 0.0;
  r.loss = r.samples ? loss_sum / double(r.samples) : 0.0;
  r.rates = engine.rates();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace spikeforge
