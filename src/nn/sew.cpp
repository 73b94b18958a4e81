#include "nn/sew.h"

#include <algorithm>

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<SewOp> kSewNames[] = {{"add", SewOp::Add}, {"and", SewOp::And}, {"iand", SewOp::Iand}};

SewOp parse_sew_op(const std::string& s) { return parse_enum("op", s, kSewNames); }
const char* sew_op_name(SewOp op) { return enum_name(op, kSewNames); }

void SewJoin::forward(const float*, float*, bool) { throw InternalError("sew: forward with one input"); }
void SewJoin::backward(const float*, float*) { throw InternalError("sew: backward with one input"); }

void SewJoin::forward_multi(const float* const* in, float* out, bool) {
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float* __restrict a = a_ = in[0];
  const float* __restrict s = s_ = in[1];
  switch (op_) {
    case SewOp::Add:
#pragma omp parallel for simd schedule(static)
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] + s[i];  // y = a + s
      return;
    case SewOp::And:
#pragma omp parallel for simd schedule(static)
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] * s[i];  // y = a s
      return;
    case SewOp::Iand:
#pragma omp parallel for simd schedule(static)
      for (int64_t i = 0; i < n; ++i) out[i] = (1.f - a[i]) * s[i];  // y = (1 - a) s
      return;
  }
}

void SewJoin::backward_multi(const float* dout, float* const* din) {
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  float* da = din[0];
  float* ds = din[1];
  if (op_ == SewOp::Add) {
    for (float* d : {da, ds})
      if (d) std::copy(dout, dout + n, d);  // da = ds = dy
    return;
  }
  const float* a = a_;
  const float* s = s_;
  const bool iand = op_ == SewOp::Iand;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    if (da) da[i] = (iand ? -s[i] : s[i]) * dout[i];       // and: s dy;  iand: -s dy
    if (ds) ds[i] = (iand ? 1.f - a[i] : a[i]) * dout[i];  // and: a dy;  iand: (1 - a) dy
  }
}

}  // namespace spikeforge
