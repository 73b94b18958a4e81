// Encoders turn a batch of analog images x[B, F] in [0, 1] into the network's
// input sequence. Output is time-major.
//
//   direct:  I_t = x for every t. Returned as ONE step [1, B, F]: the first
//            stateless layers run once and the first neuron layer repeats its
//            input current over T (same result as T copies, T times cheaper).
//   rate:    s_t ~ Bernoulli(gain * x), independently per t  -> [T, B, F]
//   latency: one spike at t_f = round((1 - x) (T - 1)) for x > threshold,
//            none otherwise (bright pixels fire first)      -> [T, B, F]
#pragma once
#include <cstdint>
#include <string>

#include "core/rng.h"

namespace spikeforge {

enum class EncoderKind { Direct, Rate, Latency };

struct EncoderParams {
  EncoderKind kind = EncoderKind::Direct;
  float rate_gain = 1.f;           // rate: firing probability per step = gain * x
  float latency_threshold = 0.2f;  // latency: pixels at or below it never fire
};

EncoderKind parse_encoder_kind(const std::string& s);  // throws ConfigError
const char* encoder_name(EncoderKind k);

// Number of steps the encoder emits for a network run of T steps.
inline int encoded_steps(EncoderKind k, int T) { return k == EncoderKind::Direct ? 1 : T; }

// out: [encoded_steps, B, F]
void encode(const EncoderParams& p, const float* x, int B, int64_t F, int T, Rng& rng, float* out);

}  // namespace spikeforge
