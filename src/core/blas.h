// The dense matrix products spikeforge needs, as thin names over CBLAS sgemm
// (and the transposition, over OpenBLAS's somatcopy).
// Row-major throughout: C[M, N] = alpha * op(A) op(B) + beta * C.
#pragma once
#include <cstdint>

namespace spikeforge {

// C[M,N] = alpha * A[M,K] * B[K,N] + beta * C
void gemm_nn(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C);
// C[M,N] = alpha * A[M,K] * B[N,K]^T + beta * C
void gemm_nt(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C);
// C[M,N] = alpha * A[K,M]^T * B[K,N] + beta * C
void gemm_tn(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C);
// y[0..n) += alpha * x[0..n)
void axpy(int64_t n, float alpha, const float* x, float* y);
// y[0..N) += sum over the M rows of A[M,N] (a bias gradient: db += dy^T 1),
// as sgemv against a vector of ones
void add_row_sums(int M, int N, const float* A, float* y);
// B[N,M] = A[M,N]^T (OpenBLAS's blocked somatcopy, not a strided loop)
void transpose(int M, int N, const float* A, float* B);

}  // namespace spikeforge
