// OpenBLAS kernel selection at start-up.
//
// Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels from the CPU
// model number in a library constructor, before main runs. CPUs newer than
// the library (here: Xeon family 6 model 207, AVX-512 + BF16) are unknown to
// it and fall back to the SSE3 "Prescott" kernels: sgemm 2048^3 ran at
// 38 GFLOP/s on 2 cores instead of 220 with the SkylakeX kernels (measured,
// `spikeforge bench`). AVX-512 AMD CPUs (Zen 4/5) get its AVX2 Haswell
// kernels: 234 GFLOP/s where SkylakeX's reach 442 (AMD EPYC family 26, 2 threads).
// The choice can only be changed through the environment variable
// OPENBLAS_CORETYPE, read by that constructor, so when OpenBLAS's core uses
// less of the CPU than its features allow (AVX2 or AVX-512), the process
// re-executes itself once with OPENBLAS_CORETYPE set from those features.
// A user's own OPENBLAS_CORETYPE is always respected.
#pragma once

namespace spikeforge {

// The OpenBLAS core name in use ("SkylakeX", "Haswell", "Prescott", ...).
const char* blas_core_name();

// Call first thing in main(). Returns normally when nothing needs changing;
// otherwise replaces the process image (execv of this executable with argv).
// If the re-exec fails, it returns and the slower kernels are used.
void select_blas_kernel(char** argv);

}  // namespace spikeforge
