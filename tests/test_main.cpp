// GoogleTest's main with the OpenBLAS kernel selection first (core/blas_kernel.h),
// so tests run the same kernels as the spikeforge binary.
#include <gtest/gtest.h>

#include "core/blas_kernel.h"

int main(int argc, char** argv) {
  spikeforge::select_blas_kernel(argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
