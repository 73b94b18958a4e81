// Entries of an activation [R, N] (R = T*B rows, time-major) as CSR: row r's
// entries are idx[row_start[r] .. row_start[r + 1]), increasing. A sparse
// backward reads its dout only at its active entries
// (nn/sparse_spiking_linear.h), so the layer that writes that dout (as its
// din) computes only those entries (Layer::set_din_needed) instead of all R*N.
#pragma once
#include <cstdint>

namespace spikeforge {

struct ActiveSet {
  const int64_t* row_start = nullptr;  // [rows + 1]
  const int32_t* idx = nullptr;        // [row_start[rows]]
  int64_t rows = 0;
};

}  // namespace spikeforge
