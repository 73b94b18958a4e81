// ANN-to-SNN conversion: a trained ReLU network (own or imported from ONNX)
// becomes a spiking network that the dense and event-driven engines run.
//
// Every tensor of the SNN carries a scale: the ANN value it stands for is
// scale x (its decoded spike code). The input is analog (scale 1); a ReLU
// with threshold theta_l (calibrate.h) becomes a neuron whose code decodes to
// a / theta_l, so its output has scale theta_l. A synaptic layer (conv2d,
// linear, with any following BatchNorm folded in) feeding the neuron of
// scale theta_t gets
//   W' = W s_in / theta_t          (s_in = theta of its input spikes)
//   b' = b / (theta_t g)           (g: what a constant current sums to)
// and, fed by the analog input held for T steps, W' = W / (theta_t g).
//
// method = rate (the classic baseline; Rueckauer et al. 2017):
//   IF neurons, soft reset, threshold 1: the firing rate over T steps is
//   min(max(z / theta, 0), 1); g = 1. Input: the analog image as a current
//   every step, or Bernoulli spikes at the pixel's rate (`input`).
//   Max pooling passes the spikes of the input that has fired most so far.
//   Latency: T steps.
// method = spikeconverter (Liu et al., AAAI 2022; nn/ilif_layer.h):
//   iLIF neurons, k = 2, threshold k^T, temporally separated accumulate and
//   fire phases of T steps, layer after layer pipelined (a layer's firing
//   phase is the next one's accumulation phase); g = sum_{t=1..T} k^-t.
//   The code of a neuron is floor(clip(z / theta, 0, 1 - 2^-T) 2^T) / 2^T.
//   Max pooling of MSB-first codes is exact (nn/spike_max_pool.h).
//   Latency: (D + 1) T steps, D = the most iLIF layers on a path from input
//   to output (the first layer accumulates the held input for T steps, each
//   iLIF layer then fires for T steps into the next).
// Both: the last synaptic layer feeds a non-spiking read-out (beta = 1 for
// rate, beta = k for spikeconverter, i.e. the accumulation phase), and the
// prediction is its membrane after the last step (loss ce_mem_last).
// A residual add of a spike train (identity skip, scale theta_h) into a
// current of scale theta_t goes through a scale layer of factor theta_h / theta_t.
//
// Exact sums: synaptic layers fed by binary spikes get fixed-point weights
// and biases, integers times a power of two Delta, with
//   fan_in (2^bits - 1) + |b / Delta| < 2^24,
// so every partial sum of W' s is exact in float32 whatever the order: BLAS
// in the dense engine and event-by-event scatter in the event engine then give
// bit-identical currents, hence identical spikes (engine/event_engine.h).
// bits is at most 16 (measured loss: none at the figures' precision).
//
// Supported ANN layers: normalize, conv2d, linear, batchnorm (after conv2d or
// linear), relu (plain or with a ceiling), maxpool2d / avgpool2d /
// global_avgpool (after a relu), flatten, dropout (dropped), add (of two
// currents, or of a current and a spike train). Anything else is refused
// with a ShapeError naming the layer.
#pragma once
#include <string>
#include <vector>

#include "nn/layer_spec.h"
#include "nn/network.h"

namespace spikeforge {

enum class ConvertMethod { Rate, SpikeConverter };
ConvertMethod parse_convert_method(const std::string& s);  // throws ConfigError
const char* convert_method_name(ConvertMethod m);

struct ConvertOptions {
  ConvertMethod method = ConvertMethod::SpikeConverter;
  int timesteps = 16;
  float k = 2.f;              // spikeconverter: membrane amplification
  bool rate_input = true;     // rate: Bernoulli input spikes (false: analog current)
  bool exact_weights = true;  // fixed-point weights for spike-fed layers (see above)
};

struct SnnModel {
  std::vector<LayerSpec> layers;
  std::vector<float> params, buffers;
  int timesteps = 0, latency_timesteps = 0;
  bool rate_input = false;  // the engine feeds Bernoulli spikes (else the analog image, held)
  float readout_beta = 1.f;
};

// ann: the network built from ann_specs with its trained weights; theta: per
// ANN node, from calibrate_relu_thresholds. origin names the model in errors.
SnnModel convert_ann(const std::vector<LayerSpec>& ann_specs, Network& ann, const std::vector<float>& theta,
                     const ConvertOptions& o, const std::string& origin);

}  // namespace spikeforge
