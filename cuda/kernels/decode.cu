// decode.cu: the kernels of the decoding side. float64 helpers of the
// ridge leave-one-out fit (the products and the eigendecomposition go
// through cuBLAS and cuSOLVER; these do the elementwise steps between them)
// and the per-row top-k selection of exact nearest-neighbour search.
// Matrices here are column-major (the layout cuBLAS and cuSOLVER use).
#include "common.cuh"

// ridge_shift_f64: out[k + j*ld] = in[k + j*ld] / (lam[k] + alpha[j*astride])
// for k < n, j < d: (S + alpha I)^-1 applied in S's eigenbasis, with one
// alpha for all columns (astride 0) or one per column (astride 1).
extern "C" __global__ void ridge_shift_f64(int n, int d, i64 ld, const double* lam,
        const double* alpha, int astride, const double* in, double* out) {
    GRID_STRIDE(t, (i64)n * d) {
        const i64 j = t / n, k = t % n;
        out[k + j * ld] = in[k + j * ld] / (lam[k] + alpha[j * astride]);
    }
}

// square_f64: y[i] = x[i] * x[i] for i < n (y may be x).
extern "C" __global__ void square_f64(i64 n, const double* x, double* y) {
    GRID_STRIDE(i, n) {
        const double v = x[i];
        y[i] = v * v;
    }
}

// loo_score_f64: for each column j < d of the n x d matrix c (leading
// dimension ld), out[j*ostride] = -(1/n) sum_i (c[i + j*ld] / (diag[i] - off))^2:
// minus the mean squared leave-one-out residual of ridge's dual form. One
// block of ROW_THREADS threads per column (looping when d exceeds the grid).
extern "C" __global__ void loo_score_f64(int n, int d, i64 ld, const double* c,
        const double* diag, double off, double* out, int ostride) {
    __shared__ double part[ROW_THREADS];
    for (int j = blockIdx.x; j < d; j += gridDim.x) {
        double acc = 0;
        for (int i = threadIdx.x; i < n; i += blockDim.x) {
            const double e = c[i + (i64)j * ld] / (diag[i] - off);
            acc += e * e;
        }
        part[threadIdx.x] = acc;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if ((int)threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
            __syncthreads();
        }
        if (threadIdx.x == 0) out[(i64)j * ostride] = -part[0] / n;
        __syncthreads();
    }
}

// Top-k selection: TOPK_THREADS threads per row, each keeping its k best
// in a sorted local list, then a tree merge of the lists through shared
// memory.
#define TOPK_THREADS 128
#define TOPK_MAX 32

// topk_better: the total order of the search, higher score first, then the
// lower index (so results do not depend on how the scan was split).
__device__ __forceinline__ bool topk_better(float s1, int i1, float s2, int i2) {
    return s1 > s2 || (s1 == s2 && i1 < i2);
}

// topk_rows_f32: for each row r < rows of the row-major rows x n scores s
// (row stride ld), the k <= TOPK_MAX best columns j by s[r*ld + j] +
// bias[j] (bias may be null), best first, as (score, base + j) in
// outS[r*k ...] and outI[r*k ...]. Scores that are NaN or -Inf are never
// selected; a row with fewer than k selectable columns pads with -Inf and
// index -1. One block per row (looping when rows exceed the grid).
extern "C" __global__ void topk_rows_f32(int rows, int n, i64 ld, const float* s,
        const float* bias, int k, int base, float* outS, int* outI) {
    __shared__ float shS[TOPK_THREADS][TOPK_MAX];
    __shared__ int shI[TOPK_THREADS][TOPK_MAX];
    const int t = threadIdx.x;
    const float ninf = -INFINITY;
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        float ls[TOPK_MAX];
        int li[TOPK_MAX];
        int cnt = 0;
        const float* row = s + (i64)r * ld;
        for (int j = t; j < n; j += TOPK_THREADS) {
            float v = row[j];
            if (bias) v += bias[j];
            if (!(v > ninf)) continue; // NaN or -Inf
            if (cnt == k && !topk_better(v, j, ls[k - 1], li[k - 1])) continue;
            int p = cnt < k ? cnt++ : k - 1;
            while (p > 0 && topk_better(v, j, ls[p - 1], li[p - 1])) {
                ls[p] = ls[p - 1];
                li[p] = li[p - 1];
                --p;
            }
            ls[p] = v;
            li[p] = j;
        }
        for (int q = 0; q < k; ++q) {
            shS[t][q] = q < cnt ? ls[q] : ninf;
            shI[t][q] = q < cnt ? li[q] : -1;
        }
        __syncthreads();
        for (int w = 1; w < TOPK_THREADS; w *= 2) {
            if (t % (2 * w) == 0 && t + w < TOPK_THREADS) {
                // Merge the lists of t and t+w (each sorted, -1 padded).
                int a = 0, b = 0;
                for (int q = 0; q < k; ++q) {
                    const bool ta = a < k && shI[t][a] >= 0;
                    const bool tb = b < k && shI[t + w][b] >= 0;
                    if (ta && (!tb || topk_better(shS[t][a], shI[t][a], shS[t + w][b], shI[t + w][b]))) {
                        ls[q] = shS[t][a];
                        li[q] = shI[t][a];
                        ++a;
                    } else if (tb) {
                        ls[q] = shS[t + w][b];
                        li[q] = shI[t + w][b];
                        ++b;
                    } else {
                        ls[q] = ninf;
                        li[q] = -1;
                    }
                }
                for (int q = 0; q < k; ++q) {
                    shS[t][q] = ls[q];
                    shI[t][q] = li[q];
                }
            }
            __syncthreads();
        }
        if (t == 0) {
            for (int q = 0; q < k; ++q) {
                outS[(i64)r * k + q] = shS[0][q];
                outI[(i64)r * k + q] = shI[0][q] >= 0 ? base + shI[0][q] : -1;
            }
        }
        __syncthreads();
    }
}
