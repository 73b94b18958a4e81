// One thread pool for everything: libgomp's. OpenBLAS is the OpenMP build
// (libopenblas-openmp-dev), so its threads are the same pool as our loops'.
#pragma once

namespace spikeforge {

// Sets the number of threads for OpenMP loops and BLAS; n <= 0 keeps the default.
void set_num_threads(int n);
int num_threads();
// Index of the calling thread inside a parallel region (0 outside).
int thread_index();

}  // namespace spikeforge
