#include "core/blas.h"

#include <cblas.h>

#include <algorithm>
#include <vector>

namespace spikeforge {

void gemm_nn(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, alpha, A, K, B, N, beta, C, N);
}

void gemm_nt(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, alpha, A, K, B, K, beta, C, N);
}

void gemm_tn(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, K, alpha, A, M, B, N, beta, C, N);
}

void axpy(int64_t n, float alpha, const float* x, float* y) {
  // cblas_saxpy takes an int count: split larger vectors.
  constexpr int64_t kChunk = int64_t(1) << 30;
  for (int64_t i = 0; i < n; i += kChunk) cblas_saxpy(int(std::min(kChunk, n - i)), alpha, x + i, 1, y + i, 1);
}

void add_row_sums(int M, int N, const float* A, float* y) {
  // Grown, never shrunk: after the first batch no call allocates.
  static thread_local std::vector<float> ones;
  if (ones.size() < size_t(M)) ones.assign(size_t(M), 1.f);
  cblas_sgemv(CblasRowMajor, CblasTrans, M, N, 1.f, A, N, ones.data(), 1, 1.f, y, 1);
}

void transpose(int M, int N, const float* A, float* B) {
  cblas_somatcopy(CblasRowMajor, CblasTrans, M, N, 1.f, A, N, B, M);
}

}  // namespace spikeforge
