// A population of stateful spiking neurons applied element-wise to its input
// current, [Tin, B, F] -> spikes [T, B, F], for the models of nn/neuron_model.h:
// lif (with a refractory period or learnable decay: "plif"), alif, ahp, cuba.
// Equations: nn/plif_neuron.h, alif_neuron.h, ahp_neuron.h, cuba_neuron.h.
// Loops: nn/state_scan.h; each thread owns a slice of the B rows for all T.
// A lif with at most a per-layer learned decay (PLIF, no refractory period,
// no carried state) runs the tiled scans of nn/neuron_scan.h instead, the
// plain LifLayer's loops (the same arithmetic, 1.2x faster in the ResNet).
//
// Parameters: none, or PLIF's decay logits p (learn_beta = layer: [1],
// neuron: [F]) with beta = sigmoid(p), initialised to the configured beta.
// Cache: the model's saved values [T, B, F], the refractory mask [T, B, F]
// (refractory > 0), and the output spikes (by pointer: the network keeps them).
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "nn/layer.h"
#include "nn/lif_layer.h"
#include "nn/neuron_model.h"
#include "nn/stateful.h"

namespace spikeforge {

class NeuronLayer : public Layer, public StateCarrier {
 public:
  NeuronLayer(FeatShape in, NeuronModelKind model, SpikingParams sp, NeuronModelParams mp);
  // "lif", "plif" (lif with learnable decay), "alif", "ahp", "cuba"
  std::string kind() const override;
  int64_t param_count() const override;
  void bind(float* params, float* grads) override;
  void init_params(InitKind kind, Rng& rng) override;
  int out_steps(int, int T) const override { return T; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  bool spiking() const override { return true; }
  double spikes_emitted() const override { return spikes_; }
  void reset_spike_count() override { spikes_ = 0; }
  void set_carry_state(bool on) override { carry_ = on; }
  void reset_state() override;

  NeuronModelKind model() const { return model_; }
  const SpikingParams& spiking_params() const { return sp_; }
  const NeuronModelParams& model_params() const { return mp_; }
  float threshold() const { return sp_.lif.theta; }
  // Free membrane v_t (no firing) for a unit input at t = 0 and none after,
  // t = 0..T-1, from the model's own discrete update: the PSP kernel that
  // fluctuation-driven initialisation (nn/fluctuation_init.h) integrates.
  std::vector<float> free_kernel(int T) const;
  // Current decay per neuron [F] (sigmoid(p) when learned).
  const std::vector<float>& beta() const { return beta_; }

 private:
  template <class F>
  void with_model(F&& f) const;
  void update_coefs();
  bool tiled_lif() const;  // runs the nn/neuron_scan.h scans
  void forward_tiled(const float* in, float* out);
  void backward_tiled(const float* dout, float* din);

  NeuronModelKind model_;
  SpikingParams sp_;
  NeuronModelParams mp_;
  int64_t N_;
  float *p_ = nullptr, *dp_ = nullptr;  // PLIF logits and their gradient
  std::vector<float> beta_, gamma_;     // [N]
  Tensor saved_;                        // [T, B, N] x floats-per-Saved
  Tensor state_;                        // [B, N] x floats-per-State (carried)
  Tensor adjoint_;                      // [B, N] x floats-per-Adjoint
  Tensor refr_;                         // [B, N] refractory steps left (carried)
  Tensor r0_;                           // [B, N] post-reset membrane before step 0 (carry)
  Tensor dbeta_th_;                     // [threads, N] per-thread dbeta partials
  std::vector<double> dbeta_tiled_;     // [threads] per-layer dbeta partials (tiled scans)
  Tensor dx_scratch_;                   // [Tin, B, N] din when nobody upstream needs it (PLIF)
  std::vector<uint8_t> mask_;           // [T, B, N] refractory mask
  const float* spk_ = nullptr;          // [T, B, N] spikes of the last forward
  bool carry_ = false;
  double spikes_ = 0;
};

}  // namespace spikeforge
