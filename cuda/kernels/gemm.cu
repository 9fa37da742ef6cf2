// gemm.cu: the SGEMM used when no cuBLAS library is found (or when the
// engine is told to use it): row-major, batched through gridDim.z,
//   C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b]
// with op(A) [M,K], op(B) [K,N], A[b] = A + b*strideA and so on.
// 64x64 tiles of C per block of 256 threads, each thread 4x4 outputs
// (rows ty+16i, columns tx+16j), K in steps of 16 through shared memory.
#include "common.cuh"

#define GEMM_BM 64
#define GEMM_BN 64
#define GEMM_BK 16
#define GEMM_THREADS 256

extern "C" __global__ void sgemm_f32(int M, int N, int K, float alpha,
        const float* A, int lda, i64 strideA, int transA,
        const float* B, int ldb, i64 strideB, int transB,
        float beta, float* C, int ldc, i64 strideC) {
    __shared__ float As[GEMM_BK][GEMM_BM + 1];
    __shared__ float Bs[GEMM_BK][GEMM_BN + 1];
    const int tid = threadIdx.x;
    const int tx = tid % 16, ty = tid / 16;
    const int m0 = blockIdx.y * GEMM_BM, n0 = blockIdx.x * GEMM_BN;
    const i64 bz = blockIdx.z;
    A += bz * strideA;
    B += bz * strideB;
    C += bz * strideC;
    float acc[4][4];
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] = 0.f;
    for (int k0 = 0; k0 < K; k0 += GEMM_BK) {
        for (int l = 0; l < (GEMM_BM * GEMM_BK) / GEMM_THREADS; ++l) {
            const int idx = tid + l * GEMM_THREADS;
            int mm, kk;
            if (transA) { mm = idx % GEMM_BM; kk = idx / GEMM_BM; } // A stored [K,M]: read along m
            else { kk = idx % GEMM_BK; mm = idx / GEMM_BK; }       // A stored [M,K]: read along k
            const int gm = m0 + mm, gk = k0 + kk;
            float v = 0.f;
            if (gm < M && gk < K) v = transA ? A[(i64)gk * lda + gm] : A[(i64)gm * lda + gk];
            As[kk][mm] = v;
        }
        for (int l = 0; l < (GEMM_BN * GEMM_BK) / GEMM_THREADS; ++l) {
            const int idx = tid + l * GEMM_THREADS;
            int nn, kk;
            if (transB) { kk = idx % GEMM_BK; nn = idx / GEMM_BK; } // B stored [N,K]: read along k
            else { nn = idx % GEMM_BN; kk = idx / GEMM_BN; }       // B stored [K,N]: read along n
            const int gn = n0 + nn, gk = k0 + kk;
            float v = 0.f;
            if (gn < N && gk < K) v = transB ? B[(i64)gn * ldb + gk] : B[(i64)gk * ldb + gn];
            Bs[kk][nn] = v;
        }
        __syncthreads();
        for (int kk = 0; kk < GEMM_BK; ++kk) {
            float a[4], b[4];
            for (int i = 0; i < 4; ++i) a[i] = As[kk][ty + 16 * i];
            for (int j = 0; j < 4; ++j) b[j] = Bs[kk][tx + 16 * j];
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; ++i) {
        const int gm = m0 + ty + 16 * i;
        if (gm >= M) continue;
        for (int j = 0; j < 4; ++j) {
            const int gn = n0 + tx + 16 * j;
            if (gn >= N) continue;
            float* c = &C[(i64)gm * ldc + gn];
            *c = beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *c;
        }
    }
}
