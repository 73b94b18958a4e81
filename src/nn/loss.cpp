#include "nn/loss.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<LossKind> kLossNames[] = {{"ce_count", LossKind::CeCount},
                                                    {"ce_mem_mean", LossKind::CeMemMean},
                                                    {"ce_mem_max", LossKind::CeMemMax},
                                                    {"mse_count", LossKind::MseCount},
                                                    {"ce_mem_last", LossKind::CeMemLast}};

LossKind parse_loss_kind(const std::string& s) { return parse_enum("loss", s, kLossNames); }
const char* loss_name(LossKind k) { return enum_name(k, kLossNames); }

namespace {

// z[k] = the decoded logit of sample b; tmax[k] = argmax step (ce_mem_max).
void decode(LossKind kind, const float* out, int T, int B, int K, int b, float* z, int* tmax) {
  if (kind == LossKind::CeMemLast) {
    for (int k = 0; k < K; ++k) z[k] = out[(int64_t(T - 1) * B + b) * K + k], tmax[k] = T - 1;
    return;
  }
  for (int k = 0; k < K; ++k) {
    float acc = kind == LossKind::CeMemMax ? -INFINITY : 0.f;
    int best = 0;
    for (int t = 0; t < T; ++t) {
      float v = out[(int64_t(t) * B + b) * K + k];
      if (kind == LossKind::CeMemMax) {
        if (v > acc) acc = v, best = t;
      } else {
        acc += v;
      }
    }
    z[k] = kind == LossKind::CeMemMean ? acc / float(T) : acc;
    tmax[k] = best;
  }
}

}  // namespace

LossResult loss_forward_backward(const LossParams& p, const float* out, int T, int B, int K, const int* labels,
                                 float* dout, int* pred) {
  std::vector<float> z(K), g(K);
  std::vector<int> tmax(K);
  LossResult r;
  if (dout) std::fill(dout, dout + int64_t(T) * B * K, 0.f);
  for (int b = 0; b < B; ++b) {
    decode(p.kind, out, T, B, K, b, z.data(), tmax.data());
    const int y = labels[b];
    const int arg = static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
    r.correct += arg == y;
    if (pred) pred[b] = arg;
    if (p.kind == LossKind::MseCount) {
      for (int k = 0; k < K; ++k) {
        const float target = float(T) * (k == y ? p.correct_rate : p.incorrect_rate);
        const float e = z[k] - target;
        r.loss += double(e) * e / K;  // mean over k here, over b at the end
        g[k] = 2.f * e / float(B * K);
      }
    } else {
      const float zmax = z[arg];
      const double e = p.label_smoothing;
      double sum = 0, zbar = 0;
      for (int k = 0; k < K; ++k) {
        sum += std::exp(double(z[k] - zmax));
        zbar += double(z[k] - zmax) / K;
      }
      // -sum_k q_k log softmax(z)_k = log sum - (1 - e) (z_y - zmax) - e mean_k (z_k - zmax)
      r.loss += std::log(sum) - (1 - e) * double(z[y] - zmax) - e * zbar;
      for (int k = 0; k < K; ++k)
        g[k] = float(std::exp(double(z[k] - zmax)) / sum - ((1 - e) * (k == y) + e / K)) / float(B);  // p - q
    }
    if (!dout) continue;
    for (int k = 0; k < K; ++k) {
      if (p.kind == LossKind::CeMemMax || p.kind == LossKind::CeMemLast) {
        dout[(int64_t(tmax[k]) * B + b) * K + k] = g[k];
        continue;
      }
      const float gt = p.kind == LossKind::CeMemMean ? g[k] / float(T) : g[k];
      for (int t = 0; t < T; ++t) dout[(int64_t(t) * B + b) * K + k] = gt;
    }
  }
  r.loss /= B;
  return r;
}

}  // namespace spikeforge
