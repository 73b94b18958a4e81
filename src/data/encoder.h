// Encoders turn a batch of analog images x[B, F] in [0, 1] into the network's
// input sequence. Output is time-major.
//
//   direct:  I_t = x for every t. Returned as ONE step [1, B, F]: the first
//            stateless layers run once and the first neuron layer repeats its
//            input current over T (same result as T copies, T times cheaper).
//   rate:    s_t ~ Bernoulli(gain * x), independently per t  -> [T, B, F]
//   latency_log: one spike at floor(tau ln(x / (x - threshold))) for x > threshold
//            (the sparse-backprop paper's Fashion-MNIST code; T = 100 1-ms steps) -> [T, B, F]
//   latency: one spike at t_f = round((1 - x) (T - 1)) for x > threshold,
//            none otherwise (bright pixels fire first)      -> [T, B, F]
//   rows:    sequential images, one row per step (analog): I_t[b, :] = x[b, row t]
//            -> [H, B, W] (T must be H: 28 x 28 for the MNIST family)
//   pixels:  one pixel per step in raster order: I_t[b, 0] = x[b, t]  -> [H W, B, 1]
//            (T = H W = 784: sequential Fashion-MNIST, the long-sequence benchmark)
//   Both read x[b, t Fs + f] with Fs = F / T features per step (one channel).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include "core/rng.h"

namespace spikeforge {

enum class EncoderKind { Direct, Rate, Latency, Rows, Pixels, LatencyLog };

struct EncoderParams {
  EncoderKind kind = EncoderKind::Direct;
  float rate_gain = 1.f;           // rate: firing probability per step = gain * x
  float latency_threshold = 0.2f;  // latency, latency_log: pixels at or below it never fire
  float latency_tau = 20.f;        // latency_log: tau_eff in steps (20 = 20 ms at 1 ms steps)
};

// latency_log (Perez-Nieves & Goodman 2021; data/spike_dataset.h derives it):
// the time a leaky membrane driven by x reaches theta, t = tau ln(x / (x - theta)),
// for x > theta. The encoder puts the spike at step floor(t) (none past T - 1).
inline double latency_log_time(double x, double theta, double tau) { return tau * std::log(x / (x - theta)); }

EncoderKind parse_encoder_kind(const std::string& s);  // throws ConfigError
const char* encoder_name(EncoderKind k);

// Number of steps the encoder emits for a network run of T steps.
inline int encoded_steps(EncoderKind k, int T) { return k == EncoderKind::Direct ? 1 : T; }

// Sequential encoders (rows, pixels) fix T by the image: H or H W steps; 0 for the others.
int sequence_steps(EncoderKind k, int H, int W);
// Features per step the network sees: the image's C*H*W, W (rows) or 1 (pixels).
int64_t step_features(EncoderKind k, int C, int H, int W);
// Whether the encoded input is spikes (rate, latency) rather than analog values.
inline bool encoder_emits_spikes(EncoderKind k) {
  return k == EncoderKind::Rate || k == EncoderKind::Latency || k == EncoderKind::LatencyLog;
}

// out: [encoded_steps, B, F] (sequential: [T, B, F / T])
void encode(const EncoderParams& p, const float* x, int B, int64_t F, int T, Rng& rng, float* out);

}  // namespace spikeforge
