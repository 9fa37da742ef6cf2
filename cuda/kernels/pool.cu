// pool.cu: max pooling, softmax, reductions and the norms of spectral
// normalisation.
#include "common.cuh"

// Max pooling of x [NC,H,W] into y [NC,OH,OW]; padded cells never win and
// a NaN in the window gives NaN (as PyTorch and the CPU backend).
extern "C" __global__ void maxpool2d_f32(i64 n, int H, int W, int OH, int OW,
        int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL,
        const float* x, float* y) {
    GRID_STRIDE(i, n) {
        int ow = (int)(i % OW);
        i64 r = i / OW;
        int oh = (int)(r % OH);
        i64 nc = r / OH;
        const float* img = x + nc * H * W;
        float best = -INFINITY;
        bool nan = false;
        for (int ki = 0; ki < KH; ++ki) {
            int ih = oh * SH - PT + ki * DH;
            if (ih < 0 || ih >= H) continue;
            for (int kj = 0; kj < KW; ++kj) {
                int iw = ow * SW - PL + kj * DW;
                if (iw < 0 || iw >= W) continue;
                float v = img[ih * W + iw];
                if (v != v) nan = true;
                else if (v > best) best = v;
            }
        }
        y[i] = nan ? NAN : best;
    }
}

// Block-wide reductions over ROW_THREADS threads through shared memory.
__device__ __forceinline__ float block_sum(float v, float* sh) {
    const int t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (int s = ROW_THREADS / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] += sh[t + s];
        __syncthreads();
    }
    float r = sh[0];
    __syncthreads();
    return r;
}

__device__ __forceinline__ float block_max(float v, float* sh) {
    const int t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (int s = ROW_THREADS / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] = fmaxf(sh[t], sh[t + s]);
        __syncthreads();
    }
    float r = sh[0];
    __syncthreads();
    return r;
}

// Softmax along the middle axis of x viewed as [outer, n, inner]: one block
// of ROW_THREADS threads per (outer, inner) row; grid (outer*inner).
extern "C" __global__ void softmax_f32(int outer, int n, int inner, const float* x, float* y) {
    __shared__ float sh[ROW_THREADS];
    const i64 row = blockIdx.x;
    const i64 o = row / inner, in = row % inner;
    const i64 base = o * (i64)n * inner + in;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < n; j += ROW_THREADS) m = fmaxf(m, x[base + (i64)j * inner]);
    m = block_max(m, sh);
    float s = 0.f;
    for (int j = threadIdx.x; j < n; j += ROW_THREADS) {
        float e = expf(x[base + (i64)j * inner] - m);
        y[base + (i64)j * inner] = e;
        s += e;
    }
    s = block_sum(s, sh);
    const float inv = 1.f / s;
    for (int j = threadIdx.x; j < n; j += ROW_THREADS) y[base + (i64)j * inner] *= inv;
}

// Offset in x of output element i (kept axes kd/ks) and of reduced
// element j (reduced axes rd/rs).
__device__ __forceinline__ i64 unravel(i64 i, const int* d, const i64* s) {
    i64 off = 0;
    for (int k = MAXD - 1; k >= 0; --k) {
        off += (i % d[k]) * s[k];
        i /= d[k];
    }
    return off;
}

#define REDUCE_PARAMS \
    i64 nOut, i64 count, \
    int kd0, int kd1, int kd2, int kd3, int kd4, int kd5, \
    i64 ks0, i64 ks1, i64 ks2, i64 ks3, i64 ks4, i64 ks5, \
    int rd0, int rd1, int rd2, int rd3, int rd4, int rd5, \
    i64 rs0, i64 rs1, i64 rs2, i64 rs3, i64 rs4, i64 rs5, \
    float scale, const float* x, float* y

#define REDUCE_ARRAYS \
    const int kd[MAXD] = {kd0, kd1, kd2, kd3, kd4, kd5}; \
    const i64 ks[MAXD] = {ks0, ks1, ks2, ks3, ks4, ks5}; \
    const int rd[MAXD] = {rd0, rd1, rd2, rd3, rd4, rd5}; \
    const i64 rs[MAXD] = {rs0, rs1, rs2, rs3, rs4, rs5};

// y[i] = scale * sum over the reduced axes: one block per output element
// (grid nOut, ROW_THREADS threads), for long reductions.
extern "C" __global__ void reduce_rows_f32(REDUCE_PARAMS) {
    __shared__ float sh[ROW_THREADS];
    REDUCE_ARRAYS
    for (i64 i = blockIdx.x; i < nOut; i += gridDim.x) {
        const i64 base = unravel(i, kd, ks);
        float s = 0.f;
        for (i64 j = threadIdx.x; j < count; j += ROW_THREADS) s += x[base + unravel(j, rd, rs)];
        s = block_sum(s, sh);
        if (threadIdx.x == 0) y[i] = s * scale;
    }
}

// The same with one thread per output element, for short reductions.
extern "C" __global__ void reduce_cols_f32(REDUCE_PARAMS) {
    REDUCE_ARRAYS
    GRID_STRIDE(i, nOut) {
        const i64 base = unravel(i, kd, ks);
        float s = 0.f;
        for (i64 j = 0; j < count; ++j) s += x[base + unravel(j, rd, rs)];
        y[i] = s * scale;
    }
}

// One block: with mode 0, out[0] = max(|x|, eps); with mode 1,
// out[0] = |x|^2 / max(|x|, eps) (spectral norm's sigma = u'.(W v) with
// u' = W v / max(|W v|, eps)).
extern "C" __global__ void norm2_f32(int n, float eps, int mode, const float* x, float* out) {
    __shared__ float sh[ROW_THREADS];
    float s = 0.f;
    for (int j = threadIdx.x; j < n; j += ROW_THREADS) s += x[j] * x[j];
    s = block_sum(s, sh);
    if (threadIdx.x == 0) {
        float nrm = fmaxf(sqrtf(s), eps);
        out[0] = mode == 0 ? nrm : s / nrm;
    }
}
