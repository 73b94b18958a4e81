// Google Benchmark micro-benchmarks of the kernels the standard workloads
// spend their time in. `spikeforge bench` times whole training steps; these
// isolate one kernel each, so a change to one shows up here first.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "core/blas_kernel.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "nn/conv2d.h"
#include "nn/lif_layer.h"
#include "nn/linear.h"

using namespace spikeforge;

namespace {

void fill_spikes(Tensor& t, float p, uint64_t seed) {
  Rng rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform() < p ? 1.f : 0.f;
}

// A layer with its own parameter and gradient storage.
template <class L>
struct Bound {
  std::unique_ptr<L> layer;
  std::vector<float> params, grads;
  explicit Bound(std::unique_ptr<L> l)
      : layer(std::move(l)), params(layer->param_count()), grads(layer->param_count()) {
    layer->bind(params.data(), grads.data());
    Rng rng(1);
    layer->init_params(InitKind::KaimingUniform, rng);
  }
};

// MLP workload's first layer: 784 -> 1000 over T*B = 25*128 rows of Bernoulli(0.2) spikes.
void BM_LinearForward(benchmark::State& st) {
  const int T = 25, B = 128;
  Bound<Linear> l(std::make_unique<Linear>(FeatShape{784, 1, 1}, 1000));
  l.layer->prepare(T, T, B);
  Tensor x({T, B, 784}), y({T, B, 1000});
  fill_spikes(x, 0.2f, 2);
  for (auto _ : st) l.layer->forward(x.data(), y.data(), true);
  st.SetItemsProcessed(st.iterations() * int64_t(T) * B * 784 * 1000);  // MACs
}
BENCHMARK(BM_LinearForward)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LinearBackward(benchmark::State& st) {
  const int T = 25, B = 128;
  Bound<Linear> l(std::make_unique<Linear>(FeatShape{784, 1, 1}, 1000));
  l.layer->prepare(T, T, B);
  Tensor x({T, B, 784}), y({T, B, 1000}), dy({T, B, 1000}), dx({T, B, 784});
  fill_spikes(x, 0.2f, 2);
  fill_spikes(dy, 0.5f, 3);
  l.layer->forward(x.data(), y.data(), true);
  for (auto _ : st) l.layer->backward(dy.data(), st.range(0) ? dx.data() : nullptr);
}
BENCHMARK(BM_LinearBackward)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// CNN workload's second conv: 32 -> 64 channels, 3x3, pad 1, on 14x14, T*B = 8*64 images.
void BM_Conv2dForwardBackward(benchmark::State& st) {
  const int T = 8, B = 64;
  Bound<Conv2d> c(std::make_unique<Conv2d>(FeatShape{32, 14, 14}, 64, 3, 1, 1));
  c.layer->prepare(T, T, B);
  Tensor x({T, B, 32 * 14 * 14}), y({T, B, 64 * 14 * 14}), dx({T, B, 32 * 14 * 14});
  fill_spikes(x, 0.15f, 4);
  for (auto _ : st) {
    c.layer->forward(x.data(), y.data(), true);
    c.layer->backward(y.data(), dx.data());
  }
}
BENCHMARK(BM_Conv2dForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();

// The CNN workload's convolutions on spike input, by path and input density
// (args: conv 1 or 2, density in %, path 0 = sgemm, 1 = spikes): the crossover
// Conv2d::kDefaultCrossover comes from here.
void BM_Conv2dPath(benchmark::State& st) {
  const int T = 8, B = 64, which = int(st.range(0));
  const FeatShape in = which == 1 ? FeatShape{1, 28, 28} : FeatShape{32, 14, 14};
  Bound<Conv2d> c(std::make_unique<Conv2d>(in, which == 1 ? 32 : 64, 3, 1, 1));
  c.layer->set_spike_input(true);
  c.layer->set_path(st.range(2) ? SynapsePath::Sparse : SynapsePath::Dense);
  c.layer->prepare(T, T, B);
  const int64_t out = c.layer->out_shape().size();
  Tensor x({T, B, in.size()}), y({T, B, out}), dx({T, B, in.size()});
  fill_spikes(x, float(st.range(1)) / 100.f, 4);
  for (auto _ : st) {
    c.layer->forward(x.data(), y.data(), true);
    c.layer->backward(y.data(), which == 1 ? nullptr : dx.data());
  }
}
BENCHMARK(BM_Conv2dPath)
    ->ArgsProduct({{1, 2}, {5, 10, 20, 30, 40, 60}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The spiking ResNet-20's 3x3 convolutions (configs/fmnist_resnet.toml,
// T = 4, B = 64), forward then backward with dx, by stage and input (args:
// stage 0..2 = 16 ch at 14x14, 32 at 7x7, 64 at 4x4; input 0 = spikes at 22 %,
// 1 = a spike-add join's output, two spike tensors summed, values 0/1/2;
// path 0 = spikes (bit planes), 1 = sgemm).
void BM_Conv2dResNet(benchmark::State& st) {
  const int T = 4, B = 64, C = 16 << st.range(0), HW = st.range(0) == 0 ? 14 : st.range(0) == 1 ? 7 : 4;
  Bound<Conv2d> c(std::make_unique<Conv2d>(FeatShape{C, HW, HW}, C, 3, 1, 1, false));
  c.layer->set_spike_input(st.range(1) == 0);
  c.layer->set_count_input(st.range(1) ? 2 : 1);
  c.layer->set_path(st.range(2) ? SynapsePath::Dense : SynapsePath::Sparse);
  c.layer->prepare(T, T, B);
  Tensor x({T, B, C * HW * HW}), x2({T, B, C * HW * HW}), y({T, B, C * HW * HW}), dx({T, B, C * HW * HW});
  fill_spikes(x, 0.22f, 4);
  if (st.range(1)) {
    fill_spikes(x2, 0.22f, 5);
    for (int64_t i = 0; i < x.numel(); ++i) x[i] += x2[i];
  }
  for (auto _ : st) {
    c.layer->forward(x.data(), y.data(), true);
    c.layer->backward(y.data(), dx.data());
  }
  st.SetItemsProcessed(st.iterations() * 3 * int64_t(T) * B * C * HW * HW * C * 9);  // MACs, fwd + 2 bwd
}
BENCHMARK(BM_Conv2dResNet)->ArgsProduct({{0, 1, 2}, {0, 1}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();

// LIF forward + backward scan over [T=25, B=128, N=1000].
void BM_LifScan(benchmark::State& st) {
  const int T = 25, B = 128, N = 1000;
  LifLayer lif({N, 1, 1}, SpikingParams{}, false);
  lif.prepare(T, T, B);
  Tensor x({T, B, N}), s({T, B, N}), dx({T, B, N});
  Rng rng(5);
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = rng.uniform(0.f, 0.4f);
  for (auto _ : st) {
    lif.forward(x.data(), s.data(), true);
    lif.backward(s.data(), dx.data());
  }
  st.SetItemsProcessed(st.iterations() * int64_t(T) * B * N);
}
BENCHMARK(BM_LifScan)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// BENCHMARK_MAIN with the OpenBLAS kernel selection first (core/blas_kernel.h).
int main(int argc, char** argv) {
  spikeforge::select_blas_kernel(argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
