// 2-D convolution (cross-correlation, as PyTorch) over the Tin*B images of
// the sequence. Images go in chunks of nb: their columns sit side by side in
// one matrix, so each chunk is one large sgemm (one per image was 2.5x slower:
// small products spend their time packing W). Chunks are split across
// threads, each with its own buffers and gradient partial (deterministic).
//   forward:  col   = [im2col(x_n) for n in chunk]       [C*K*K, nb*Ho*Wo]
//             Y     = W[O, C*K*K] col                    [O, nb*Ho*Wo]
//             y_n   = Y[:, n] + b[O]                     [O, Ho*Wo] per image
//   backward: dY    = [dy_n for n in chunk]              [O, nb*Ho*Wo]
//             dW   += dY col^T,  db += sum_p dY[:, p]
//             dx_n  = col2im((W^T dY)[:, n])
// Weight layout [O, C, K, K] as PyTorch. Cache: the input (by pointer);
// columns are recomputed in backward rather than stored (T*B*C*K*K*Ho*Wo floats).
//
// Spike input (set_spike_input(true)): each image is packed into per-pixel
// channel masks, and below the crossover density the forward and the weight
// gradient add weight rows by spikes (nn/spike_conv.h):
//   forward:  y_n = (b + sum over spiking taps of Wt rows)^T    Wt = W^T [C*K*K, O], refreshed per forward
//   backward: dWt += spiking taps' rows of dy_n^T,  dW += dWt^T;  dx_n as above (sgemm)
// The same sums as the sgemm in another order: equal to float rounding, bit
// for bit when the sums are exact. The path depends only on the data.
// Count input (set_count_input(n), a spike-add join's 0, 1, 2): the same path
// on the counts' bit planes (nn/spike_conv.h), ceil(log2(n + 1)) of them.
// Cache on that path: the masks (T*B*H*W*planes*ceil(C/64) words) and the input pointer.
#pragma once
#include <vector>

#include "core/tensor.h"
#include "nn/im2col.h"
#include "nn/layer.h"
#include "nn/spike_conv.h"
#include "nn/synapse_path.h"

namespace spikeforge {

class Conv2d : public Layer {
 public:
  // Below this spike density the spike path is faster for the CNN workload's
  // 32 -> 64 channels at 14x14 (micro-benchmark BM_Conv2dPath, BENCHMARKS.md).
  // Other shapes move it (BM_Conv2dResNet, Zen 4, 2 threads): the spike path
  // costs O/16 vector adds per set bit, sgemm O multiply-adds per input value
  // plus im2col/col2im per value, which weigh most on small images. Measured
  // break-even densities: 0.15-0.2 (16 -> 16 at 14x14), 0.2-0.3 (32 -> 32 at
  // 7x7), 0.4-0.6 (64 -> 64 at 4x4), spikes and spike-add counts; the rule
  //   d* = 0.35 sqrt(O / 64) (196 / (Ho Wo))^0.2
  // gives 0.17, 0.33, 0.58 and keeps the CNN workload's 0.35.
  static constexpr double kDefaultCrossover = 0.35;
  static double crossover_for(int O, int out_pixels);
  // The spike path needs this many input channels: with fewer, the per-tap cost of the
  // spike path (a mask load and a branch per kernel tap and output pixel)
  // outweighs the few rows it adds (1 channel: 4.5x slower than im2col + sgemm
  // even at 5 % density).
  static constexpr int kMinSpikeChannels = 8;

  Conv2d(FeatShape in, int out_channels, int kernel, int stride, int pad, bool bias = true);
  std::string kind() const override { return "conv2d"; }
  int64_t param_count() const override { return int64_t(O_) * g_.col_rows() + (bias_ ? O_ : 0); }
  void bind(float* params, float* grads) override;
  void init_params(InitKind kind, Rng& rng) override;
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;

  float* weight() { return W_; }  // [O, C, K, K]
  float* bias() { return b_; }    // [O] or nullptr
  int out_channels() const { return O_; }
  const ConvGeom& geom() const { return g_; }

  void set_spike_input(bool s) override { spike_input_ = s; }
  void set_count_input(int max_count) override { max_count_ = max_count; }
  // crossover <= 0: crossover_for this layer's shape.
  void set_path(SynapsePath p, double crossover = 0.0) {
    path_ = p, crossover_ = crossover > 0 ? crossover : crossover_for(O_, g_.col_cols());
  }
  double last_density() const { return density_; }  // of the last forward's input (spike input)
  bool last_sparse() const { return sparse_; }

 private:
  double pack_input_masks(const float* in);                                   // returns the density
  int planes() const { return spike_input_ ? 1 : count_planes(max_count_); }  // bit planes of the input
  int64_t mask_words_per_image() const { return int64_t(in_.H) * in_.W * planes() * channel_mask_words(in_.C); }
  void forward_spikes(float* out);
  void weight_grad_spikes(const float* dout);
  void reduce_weight_partials(bool transposed);

  ConvGeom g_;
  TapTable taps_;  // im2col's gather table (nn/im2col.h)
  int O_;
  bool bias_;
  float *W_ = nullptr, *b_ = nullptr, *dW_ = nullptr, *db_ = nullptr;
  const float* x_ = nullptr;
  int chunk_ = 1;  // images per sgemm
  Tensor col_;     // [threads, C*K*K, chunk*Ho*Wo] columns, then W^T dY in backward
  Tensor ybuf_;    // [threads, O, chunk*Ho*Wo] Y in forward, dY in backward
  Tensor dW_th_;   // [threads, O*C*K*K + O] per-thread gradient partials (spike path: dWt [C*K*K, O] first)
  bool spike_input_ = false, sparse_ = false;
  int max_count_ = 0;  // count input: values 0..max_count_ (0: real values)
  SynapsePath path_ = SynapsePath::Auto;
  double crossover_ = 0.0, density_ = 0.0;  // set by the constructor's set_path
  std::vector<uint64_t> masks_;             // [Tin*B, H*W, planes, ceil(C/64)] input channel masks
  Tensor wt_;                               // [C*K*K, O] W^T for the spike path
};

}  // namespace spikeforge
