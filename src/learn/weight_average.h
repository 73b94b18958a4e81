// Exponential moving average of the trained parameters (Polyak averaging; the
// "model EMA" of timm and of torch.optim.swa_utils.AveragedModel with an EMA
// avg_fn), kept over the network's flat parameter buffer. Evaluated in place of
// the last weights it removes the step-to-step noise of the final epochs.
//   a_0 = p_0                                  (the weights training starts from)
//   d_k = min(decay, (1 + k) / (10 + k))       (TensorFlow's warm-up: an early
//                                               average forgets the initialisation)
//   a_k = d_k a_{k-1} + (1 - d_k) p_k          after optimiser step k = 1, 2, ...
// With decay d the average spans about 1 / (1 - d) steps. Norm statistics
// belong to the weights they were measured with: re-estimate them (precise BN)
// after swapping the average in, as SWA does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spikeforge {

class WeightAverage {
 public:
  // a_0 = params; decay = 0: inactive (holds nothing; update and swap do nothing).
  WeightAverage(float decay, const std::vector<float>& params);
  bool active() const { return decay_ > 0; }
  // a_k from the parameters after optimiser step k.
  void update(const std::vector<float>& params);
  // Exchanges the average with `params` element by element (no allocation):
  // a second call restores both. In between, average() holds the trained weights.
  void swap(std::vector<float>& params);
  const std::vector<float>& average() const { return avg_; }
  int64_t steps() const { return steps_; }
  // Restores a saved average after `steps` updates (InputError naming origin on a size mismatch).
  void load(std::vector<float> average, int64_t steps, size_t param_count, const std::string& origin);

 private:
  float decay_;
  int64_t steps_ = 0;
  std::vector<float> avg_;
};

}  // namespace spikeforge
