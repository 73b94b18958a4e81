#include "cli/evaluate.h"

#include <chrono>
#include <vector>

#include "core/enum_names.h"
#include "core/tensor.h"
#include "data/batcher.h"
#include "data/encoder.h"
#include "engine/event_engine.h"
#include "nn/loss.h"

namespace spikeforge {

static constexpr EnumName<EngineKind> kEngines[] = {{"dense", EngineKind::Dense}, {"event", EngineKind::Event}};
EngineKind parse_engine_kind(const std::string& s) { return parse_enum("engine", s, kEngines); }
const char* engine_name(EngineKind k) { return enum_name(k, kEngines); }

namespace {

double total_spikes(const Network& net) {
  double s = 0;
  for (const auto& l : net.layers()) s += l->spikes_emitted();
  return s;
}

}  // namespace

EvalResult evaluate_dataset(Network& net, const TrainConfig& cfg, const ImageDataset& ds, uint64_t key,
                            EngineKind engine) {
  const auto t0 = std::chrono::steady_clock::now();
  const int T = cfg.timesteps, Bmax = cfg.batch_size, Tin = encoded_steps(cfg.encoder.kind, T);
  const int64_t F = ds.features();
  const int K = static_cast<int>(net.output_shape().size());
  const bool input_spikes = encoder_emits_spikes(cfg.encoder.kind);
  Batcher batches(ds.count, Bmax, /*shuffle=*/false, /*drop_last=*/false, cfg.seed);
  batches.start_epoch(0);
  const int64_t Fs = F / (sequence_steps(cfg.encoder.kind, ds.H, ds.W) ? T : 1);  // sequential: F / T per step
  Tensor x({Bmax, F}), enc({Tin, Bmax, Fs});
  std::vector<int> y(Bmax);
  Rng rng = Rng(cfg.seed).derive(key);
  DenseEngine dense(net, input_spikes);
  std::unique_ptr<EventEngine> event;
  if (engine == EngineKind::Event) event = std::make_unique<EventEngine>(net, input_spikes);
  EvalResult r;
  double loss_sum = 0;
  int64_t correct = 0;
  for (int i = 0; i < batches.num_batches(); ++i) {
    const int B = batches.batch_len(i);
    batches.gather(ds, i, x.data(), y.data());
    encode(cfg.encoder, x.data(), B, F, T, rng, enc.data());
    const float* out = event ? event->run(enc.data(), Tin, T, B) : dense.run(enc.data(), Tin, T, B);
    LossResult lr = loss_forward_backward(cfg.loss, out, net.out_steps(), B, K, y.data(), nullptr);
    loss_sum += lr.loss * B;
    correct += lr.correct;
    r.samples += B;
  }
  const double n = r.samples ? double(r.samples) : 1.0;
  r.accuracy = double(correct) / n;
  r.loss = loss_sum / n;
  r.rates = event ? event->rates() : dense.rates();
  r.spikes_per_sample = total_spikes(net) / n;
  r.synops_per_sample = (event ? event->synops() : dense.synops()) / n;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace spikeforge
