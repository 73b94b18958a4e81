#include "nn/add.h"

#include <algorithm>

#include "core/error.h"

namespace spikeforge {

void Add::forward(const float*, float*, bool) { throw InternalError("add: forward with one input"); }
void Add::backward(const float*, float*) { throw InternalError("add: backward with one input"); }

void Add::forward_multi(const float* const* in, float* out, bool) {
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float* __restrict a = in[0];
  const float* __restrict b = in[1];
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];  // y = a + b
}

void Add::backward_multi(const float* dout, float* const* din) {
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  for (int k = 0; k < 2; ++k)
    if (din[k]) std::copy(dout, dout + n, din[k]);  // da = db = dy
}

}  // namespace spikeforge
