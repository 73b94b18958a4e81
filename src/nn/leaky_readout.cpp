#include "nn/leaky_readout.h"

#include "nn/neuron_scan.h"

namespace spikeforge {

LeakyReadout::LeakyReadout(FeatShape in, float beta) : beta_(beta) { in_ = out_ = in; }

void LeakyReadout::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  Layer::prepare(Tin, T, B);
  carry_.resize({B, in_.size()});
}

void LeakyReadout::forward(const float* in, float* out, bool) {
  const int64_t n = int64_t(B_) * in_.size();
#pragma omp parallel
  {
    int64_t lo, hi;
    thread_slice(n, lo, hi);
    for (int t = 0; t < T_; ++t) {
      const float* xt = in + (Tin_ == 1 ? 0 : int64_t(t) * n);
      const float* vp = out + int64_t(t - 1) * n;
      float* vt = out + int64_t(t) * n;
      for (int64_t i = lo; i < hi; ++i) vt[i] = (t > 0 ? beta_ * vp[i] : 0.f) + xt[i];  // v_t = beta v_{t-1} + x_t
    }
  }
}

void LeakyReadout::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t n = int64_t(B_) * in_.size();
  float* carry = carry_.data();
#pragma omp parallel
  {
    int64_t lo, hi;
    thread_slice(n, lo, hi);
    if (Tin_ == 1) std::fill(din + lo, din + hi, 0.f);
    for (int t = T_ - 1; t >= 0; --t) {
      const float* dt = dout + int64_t(t) * n;
      float* dxt = din + (Tin_ == 1 ? 0 : int64_t(t) * n);
      for (int64_t i = lo; i < hi; ++i) {
        float dv = dt[i] + (t < T_ - 1 ? beta_ * carry[i] : 0.f);  // dv_t = dout_t + beta dv_{t+1}
        carry[i] = dv;
        if (Tin_ == 1)
          dxt[i] += dv;
        else
          dxt[i] = dv;
      }
    }
  }
}

}  // namespace spikeforge
