#include "learn/label_readout.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/blas.h"
#include "core/rng.h"
#include "learn/optimizer.h"

namespace spikeforge {

namespace {

// m [C, N]: mean count of each neuron over the samples of each class (0 for an absent class)
std::vector<double> class_means(const float* r, const int* y, int64_t S, int N, int classes) {
  std::vector<double> m(size_t(classes) * N, 0.0);
  std::vector<int64_t> n(classes, 0);
  for (int64_t s = 0; s < S; ++s) {
    ++n[y[s]];
    double* row = m.data() + size_t(y[s]) * N;
    for (int j = 0; j < N; ++j) row[j] += r[s * N + j];
  }
  for (int c = 0; c < classes; ++c)
    for (int j = 0; j < N; ++j) m[size_t(c) * N + j] /= double(std::max<int64_t>(n[c], 1));
  return m;
}

}  // namespace

std::vector<int> assign_labels(const float* r, const int* y, int64_t S, int N, int classes) {
  const std::vector<double> m = class_means(r, y, S, N, classes);
  std::vector<int> label(N, -1);
  for (int j = 0; j < N; ++j) {
    double best = 0;
    for (int c = 0; c < classes; ++c)
      if (m[size_t(c) * N + j] > best) best = m[size_t(c) * N + j], label[j] = c;
  }
  return label;
}

std::vector<float> class_proportions(const float* r, const int* y, int64_t S, int N, int classes) {
  const std::vector<double> m = class_means(r, y, S, N, classes);
  std::vector<float> p(size_t(N) * classes, 0.f);
  for (int j = 0; j < N; ++j) {
    double total = 0;
    for (int c = 0; c < classes; ++c) total += m[size_t(c) * N + j];
    if (total > 0)
      for (int c = 0; c < classes; ++c) p[size_t(j) * classes + c] = float(m[size_t(c) * N + j] / total);
  }
  return p;
}

int proportion_class(const float* counts, const std::vector<float>& p, int classes) {
  std::vector<double> score(classes, 0.0);
  const size_t N = p.size() / size_t(classes);
  for (size_t j = 0; j < N; ++j)
    if (counts[j] != 0.f)
      for (int c = 0; c < classes; ++c) score[c] += double(counts[j]) * p[j * classes + c];
  return int(std::max_element(score.begin(), score.end()) - score.begin());
}

int vote_class(const float* counts, const std::vector<int>& labels, int classes, bool average) {
  std::vector<double> score(classes, 0.0);
  std::vector<int> members(classes, 0);
  for (size_t j = 0; j < labels.size(); ++j)
    if (labels[j] >= 0) score[labels[j]] += counts[j], ++members[labels[j]];
  int best = 0;
  for (int c = 0; c < classes; ++c) {
    if (average && members[c]) score[c] /= members[c];
    if (score[c] > score[best]) best = c;
  }
  return best;
}

int LinearReadout::predict(const float* counts) const {
  const float* b = W.data() + size_t(N) * C;
  int best = 0;
  double best_z = -1e300;
  for (int c = 0; c < C; ++c) {
    double z = b[c];
    for (int j = 0; j < N; ++j) z += double((counts[j] - mean[j]) * inv_std[j]) * W[size_t(j) * C + c];
    if (z > best_z) best_z = z, best = c;
  }
  return best;
}

LinearReadout train_linear_readout(const float* r, const int* y, int64_t S, int N, int classes, int epochs, float lr,
                                   uint64_t seed) {
  LinearReadout m;
  m.N = N, m.C = classes;
  m.mean.assign(N, 0.f);
  m.inv_std.assign(N, 0.f);
  for (int j = 0; j < N; ++j) {
    double s1 = 0, s2 = 0;
    for (int64_t s = 0; s < S; ++s) s1 += r[s * N + j], s2 += double(r[s * N + j]) * r[s * N + j];
    const double mu = s1 / double(S), var = std::max(0.0, s2 / double(S) - mu * mu);
    m.mean[j] = float(mu);
    m.inv_std[j] = float(1.0 / (std::sqrt(var) + 1e-6));
  }
  const int64_t P = int64_t(N) * classes + classes;
  m.W.assign(P, 0.f);
  std::vector<float> grad(P);
  OptimizerParams op;
  Optimizer opt(op, P);
  constexpr int B = 64;
  std::vector<float> f(size_t(B) * N), z(size_t(B) * classes);  // [B, N], [B, C]
  std::vector<int64_t> order(S);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (int ep = 0; ep < epochs; ++ep) {
    rng.shuffle(order);
    for (int64_t s0 = 0; s0 < S; s0 += B) {
      const int b = int(std::min<int64_t>(B, S - s0));
      for (int k = 0; k < b; ++k)
        for (int j = 0; j < N; ++j) f[size_t(k) * N + j] = (r[order[s0 + k] * N + j] - m.mean[j]) * m.inv_std[j];
      const float* bias = m.W.data() + size_t(N) * classes;
      for (int k = 0; k < b; ++k) std::copy(bias, bias + classes, z.begin() + size_t(k) * classes);
      gemm_nn(b, classes, N, 1.f, f.data(), m.W.data(), 1.f, z.data());  // z = f W + b
      for (int k = 0; k < b; ++k) {                                      // dz = (softmax(z) - onehot) / b
        float* zk = z.data() + size_t(k) * classes;
        const float mx = *std::max_element(zk, zk + classes);
        double sum = 0;
        for (int c = 0; c < classes; ++c) sum += std::exp(double(zk[c] - mx));
        for (int c = 0; c < classes; ++c)
          zk[c] = float((std::exp(double(zk[c] - mx)) / sum - (c == y[order[s0 + k]] ? 1.0 : 0.0)) / b);
      }
      gemm_tn(N, classes, b, 1.f, f.data(), z.data(), 0.f, grad.data());  // dW = f^T dz
      float* db = grad.data() + size_t(N) * classes;
      std::fill(db, db + classes, 0.f);
      for (int k = 0; k < b; ++k)
        for (int c = 0; c < classes; ++c) db[c] += z[size_t(k) * classes + c];
      opt.step(m.W.data(), grad.data(), P, lr);
    }
  }
  return m;
}

}  // namespace spikeforge
