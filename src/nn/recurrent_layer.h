// A recurrent spiking layer: N neurons of any model of nn/neuron_model.h
// driven by input weights and by their own spikes of the previous step.
//   a_t = x_t W_in^T + b                          [B, N], all Tin steps in one sgemm
//   c_t = a_t + s_{t-1} W_rec^T                   recurrent input (s_{-1} = 0, or the carried spikes)
//   s_t = neuron step(c_t)                        nn/state_scan.h, the model's own equations
// Backward (BPTT through the recurrence), from dout_t = dL/ds_t (external):
//   ds_t  = dout_t + dc_{t+1} W_rec               (dc_T = 0)
//   dc_t  = neuron backward step(ds_t)            = dL/dc_t = dL/da_t
//   dW_rec += sum_t dc_t^T s_{t-1},  dW_in += sum_t dc_t^T x_t,  db += sum_t dc_t
//   dx_t  = dc_t W_in                             (Tin = 1: x_t = x, so dx = (sum_t dc_t) W_in)
// Parameters: [W_in (N, I), W_rec (N, N), b (N) if bias, PLIF logits (1 or N) if learned].
// Dale's law (dale = true): W_rec[:, j] has the sign of neuron j (the first
// round(f N) excitatory), kept by learn/dale_projection.h; the layer's
// consumers should then use dale linear layers with the same fraction.
// Cache: the input (by pointer), the model's saved values [T, B, N], dc [T, B, N]
// (backward only), the spikes (by pointer).
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "nn/dale.h"
#include "nn/layer.h"
#include "nn/lif_layer.h"
#include "nn/neuron_model.h"
#include "nn/stateful.h"

namespace spikeforge {

struct RecurrentParams {
  int units = 0;
  bool bias = true;
  bool dale = false;
  float excitatory = 0.8f;
};

class RecurrentLayer : public Layer, public StateCarrier, public SignConstrained {
 public:
  RecurrentLayer(FeatShape in, RecurrentParams rp, NeuronModelKind model, SpikingParams sp, NeuronModelParams mp);
  std::string kind() const override;  // "r" + the model: "rlif", "rplif", "ralif", "rahp", "rcuba"
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
  std::vector<SignBlock> sign_blocks() override;

  int units() const { return N_; }
  int inputs() const { return I_; }
  float* w_in() { return Win_; }    // [N, I]
  float* w_rec() { return Wrec_; }  // [N, N]
  float* bias() { return b_; }      // [N] or nullptr
  NeuronModelKind model() const { return model_; }
  const SpikingParams& spiking_params() const { return sp_; }
  const NeuronModelParams& model_params() const { return mp_; }
  const std::vector<float>& beta() const { return beta_; }  // [N]
  bool dale() const { return rp_.dale; }
  float threshold() const { return sp_.lif.theta; }
  std::vector<float> free_kernel(int T) const;  // as NeuronLayer::free_kernel

 private:
  template <class F>
  void with_model(F&& f) const;
  void update_coefs();

  RecurrentParams rp_;
  NeuronModelKind model_;
  SpikingParams sp_;
  NeuronModelParams mp_;
  int I_, N_;
  int64_t n_exc_;
  float *Win_ = nullptr, *Wrec_ = nullptr, *b_ = nullptr, *p_ = nullptr;
  float *dWin_ = nullptr, *dWrec_ = nullptr, *db_ = nullptr, *dp_ = nullptr;
  std::vector<float> beta_, gamma_;  // [N]
  const float* x_ = nullptr;         // [Tin, B, I] input of the last forward
  const float* spk_ = nullptr;       // [T, B, N] spikes of the last forward
  Tensor a_;                         // [Tin, B, N] input projection
  Tensor cur_;                       // [B, N] c_t, then ds_t in backward
  Tensor saved_, state_, adjoint_;   // model values: [T, B, N], [B, N], [B, N]
  Tensor refr_;                      // [B, N] refractory steps left
  Tensor s_init_;                    // [B, N] s_{-1} of this chunk (carry)
  Tensor s_last_;                    // [B, N] s_{T-1} of the last forward (carry)
  Tensor r0_;                        // [B, N] carried post-reset membrane (dbeta at t = 0)
  Tensor dc_;                        // [T, B, N]
  Tensor dcsum_;                     // [B, N] sum_t dc_t (Tin = 1)
  Tensor dbeta_th_;                  // [threads, N]
  std::vector<uint8_t> mask_;        // [T, B, N] refractory mask
  bool carry_ = false, has_init_ = false, has_last_ = false;
  double spikes_ = 0;
};

}  // namespace spikeforge
