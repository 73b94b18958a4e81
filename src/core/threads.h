// One thread pool for everything: libgomp's. OpenBLAS is the OpenMP build
// (libopenblas-openmp-dev), so its threads are the same pool as our loops'.
#pragma once
#include <cstdint>

namespace spikeforge {

// Sets the number of threads for OpenMP loops and BLAS; n <= 0 keeps the default.
void set_num_threads(int n);
int num_threads();
// Index of the calling thread inside a parallel region (0 outside).
int thread_index();

// dst[e] += parts[0 * stride + e] + ... + parts[(count - 1) * stride + e] for
// e < n, added one partial after the other as a serial loop would (the same
// bits for any thread count), with the elements split across the threads.
// Per-thread gradient partials are reduced with it; call it outside a parallel
// region.
void add_partials(const float* parts, int count, int64_t stride, int64_t n, float* dst);

}  // namespace spikeforge
