// The spike-element-wise join of a SEW residual block (Fang et al. 2021):
// a = the block's output spikes, s = the skip spikes (the block's input),
// both [T, B, ...] (binary; a down-sampling skip is conv + BN + neuron):
//   add:   y = a + s                 da = dy            ds = dy
//   and:   y = a s                   da = s dy          ds = a dy
//   iand:  y = (1 - a) s             da = -s dy         ds = (1 - a) dy
// add lets the block pass its input unchanged (identity when a = 0) but is
// not binary; and/iand keep spikes binary. Cache: both inputs (by pointer).
// Reference: Fang, Yu, Chen, Huang, Masquelier, Tian 2021, "Deep residual
// learning in spiking neural networks" (NeurIPS), eq. 11 and Table 1.
#pragma once
#include <string>

#include "nn/layer.h"

namespace spikeforge {

enum class SewOp { Add, And, Iand };
SewOp parse_sew_op(const std::string& s);  // throws ConfigError
const char* sew_op_name(SewOp op);

class SewJoin : public Layer {
 public:
  SewJoin(FeatShape in, SewOp op) : op_(op) { in_ = out_ = in; }
  std::string kind() const override { return "sew"; }
  int arity() const override { return 2; }
  void forward(const float*, float*, bool) override;
  void backward(const float*, float*) override;
  void forward_multi(const float* const* in, float* out, bool train) override;
  void backward_multi(const float* dout, float* const* din) override;
  SewOp op() const { return op_; }

 private:
  SewOp op_;
  const float *a_ = nullptr, *s_ = nullptr;
};

}  // namespace spikeforge
