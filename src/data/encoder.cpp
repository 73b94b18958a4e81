#include "data/encoder.h"

#include <cmath>
#include <cstring>

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<EncoderKind> kEncoderNames[] = {{"direct", EncoderKind::Direct},
                                                          {"rate", EncoderKind::Rate},
                                                          {"latency", EncoderKind::Latency},
                                                          {"rows", EncoderKind::Rows},
                                                          {"pixels", EncoderKind::Pixels},
                                                          {"latency_log", EncoderKind::LatencyLog}};

EncoderKind parse_encoder_kind(const std::string& s) { return parse_enum("encoder", s, kEncoderNames); }
const char* encoder_name(EncoderKind k) { return enum_name(k, kEncoderNames); }

int sequence_steps(EncoderKind k, int H, int W) {
  return k == EncoderKind::Rows ? H : k == EncoderKind::Pixels ? H * W : 0;
}

int64_t step_features(EncoderKind k, int C, int H, int W) {
  return k == EncoderKind::Rows ? W : k == EncoderKind::Pixels ? 1 : int64_t(C) * H * W;
}

void encode(const EncoderParams& p, const float* x, int B, int64_t F, int T, Rng& rng, float* out) {
  const int64_t n = int64_t(B) * F;
  switch (p.kind) {
    case EncoderKind::Direct:
      std::memcpy(out, x, sizeof(float) * n);
      return;
    case EncoderKind::Rate:
      for (int t = 0; t < T; ++t)
        for (int64_t i = 0; i < n; ++i) out[t * n + i] = rng.uniform() < p.rate_gain * x[i] ? 1.f : 0.f;
      return;
    case EncoderKind::Latency:
      std::memset(out, 0, sizeof(float) * n * T);
      for (int64_t i = 0; i < n; ++i) {
        if (x[i] <= p.latency_threshold) continue;
        int t = static_cast<int>(std::lround((1.f - x[i]) * float(T - 1)));
        out[int64_t(t) * n + i] = 1.f;
      }
      return;
    case EncoderKind::LatencyLog:
      std::memset(out, 0, sizeof(float) * n * T);
      for (int64_t i = 0; i < n; ++i) {
        if (x[i] <= p.latency_threshold) continue;
        const double t = std::floor(latency_log_time(x[i], p.latency_threshold, p.latency_tau));
        if (t < T) out[int64_t(t) * n + i] = 1.f;
      }
      return;
    case EncoderKind::Rows:
    case EncoderKind::Pixels: {  // out[t, b, f] = x[b, t Fs + f]
      const int64_t Fs = F / T;
      for (int t = 0; t < T; ++t)
        for (int b = 0; b < B; ++b)
          std::memcpy(out + (int64_t(t) * B + b) * Fs, x + int64_t(b) * F + int64_t(t) * Fs, sizeof(float) * Fs);
      return;
    }
  }
}

}  // namespace spikeforge
