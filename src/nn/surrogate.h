// Surrogate derivatives of the spike function s = H(u), u = v - theta.
// The forward pass always uses the exact step; backward replaces dH/du by one
// of these. Every one peaks at 1 for u = 0; w is the width parameter.
//
//   fast_sigmoid  (SuperSpike; snnTorch fast_sigmoid with slope = 1/w)
//       g(u) = 1 / (1 + |u|/w)^2             smooth: S(u) = w u / (w + |u|)
//   arctan        (SpikingJelly ATan with alpha = 1/w)
//       g(u) = 1 / (1 + (pi u / (2 w))^2)    smooth: S(u) = (2w/pi) atan(pi u / (2w))
//   triangle      (Esser et al. 2016; BNTT uses w = 1 scaled by 0.3)
//       g(u) = max(0, 1 - |u|/w)             smooth: piecewise quadratic
//
// `smooth` is the function whose derivative g is; tests use it for finite
// differences of a network whose spikes are replaced by S.
//
// banded (any of them, band > 0; Perez-Nieves & Goodman 2021):
//       g_band(u) = g(u) if |u| < band, else 0
// so only neurons near threshold carry gradient: the sparse backward
// (nn/sparse_spiking_linear.h) visits just those.
#pragma once
#include <cmath>
#include <numbers>
#include <string>

namespace spikeforge {

enum class SurrogateKind { FastSigmoid, Arctan, Triangle };

SurrogateKind parse_surrogate_kind(const std::string& s);  // throws ConfigError
const char* surrogate_name(SurrogateKind k);

struct SurrogateFastSigmoid {
  float w;
  float grad(float u) const {
    float d = 1.f + std::fabs(u) / w;
    return 1.f / (d * d);
  }
  float smooth(float u) const { return w * u / (w + std::fabs(u)); }
};

struct SurrogateArctan {
  float w;
  float grad(float u) const {
    float z = std::numbers::pi_v<float> * u / (2.f * w);
    return 1.f / (1.f + z * z);
  }
  float smooth(float u) const {
    return (2.f * w / std::numbers::pi_v<float>)*std::atan(std::numbers::pi_v<float> * u / (2.f * w));
  }
};

struct SurrogateTriangle {
  float w;
  float grad(float u) const { return std::fmax(0.f, 1.f - std::fabs(u) / w); }
  float smooth(float u) const {
    float a = std::fmin(std::fabs(u), w);
    float v = a - a * a / (2.f * w);
    return u < 0 ? -v : v;
  }
};

template <class S>
struct SurrogateBanded {
  S s;
  float band;
  float grad(float u) const { return std::fabs(u) < band ? s.grad(u) : 0.f; }
};

// Calls f(g) with the surrogate of `kind` and width w (banded when band > 0):
// the one switch over surrogates, taken outside the loops.
template <class F>
void visit_surrogate(SurrogateKind kind, float w, float band, F&& f) {
  auto go = [&](auto g) {
    if (band > 0)
      f(SurrogateBanded<decltype(g)>{g, band});
    else
      f(g);
  };
  switch (kind) {
    case SurrogateKind::FastSigmoid:
      return go(SurrogateFastSigmoid{w});
    case SurrogateKind::Arctan:
      return go(SurrogateArctan{w});
    case SurrogateKind::Triangle:
      return go(SurrogateTriangle{w});
  }
}

}  // namespace spikeforge
