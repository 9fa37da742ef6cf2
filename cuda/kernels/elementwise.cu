// elementwise.cu: activations, broadcasting arithmetic, per-channel affine
// maps, bias addition, strided copies (transpose, slice, concat) and
// nearest-neighbour upsampling.
#include "common.cuh"

// Unary kinds: the values of nn.UnaryKind.
#define U_RELU 1
#define U_LEAKY 2
#define U_ELU 3
#define U_TANH 4
#define U_SIGMOID 5
#define U_EXP 6
#define U_LOG 7
#define U_SQRT 8
#define U_SQUARE 9
#define U_SOFTPLUS 10
#define U_ABS 11
#define U_AFFINE 12

__device__ __forceinline__ float unary_apply(int kind, float alpha, float beta, float v) {
    switch (kind) {
    case U_RELU: return v > 0.f ? v : 0.f;
    case U_LEAKY: return v < 0.f ? v * alpha : v;
    case U_ELU: return v < 0.f ? alpha * expm1f(v) : v;
    case U_TANH: return tanhf(v);
    case U_SIGMOID:
        if (v >= 0.f) return 1.f / (1.f + expf(-v));
        else { float e = expf(v); return e / (1.f + e); }
    case U_EXP: return expf(v);
    case U_LOG: return logf(v);
    case U_SQRT: return sqrtf(v);
    case U_SQUARE: return v * v;
    case U_SOFTPLUS: return fmaxf(v, 0.f) + log1pf(expf(-fabsf(v)));
    case U_ABS: return fabsf(v);
    case U_AFFINE: return alpha * v + beta;
    }
    return v;
}

// y = f(x) elementwise; x and y may be the same buffer.
extern "C" __global__ void unary_f32(i64 n, int kind, float alpha, float beta, const float* x, float* y) {
    GRID_STRIDE(i, n) y[i] = unary_apply(kind, alpha, beta, x[i]);
}

// Binary operations: the values of nn.BinaryOp.
#define B_ADD 1
#define B_SUB 2
#define B_MUL 3
#define B_DIV 4

__device__ __forceinline__ float binary_apply(int op, float a, float b) {
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    }
    return 0.f;
}

// y = a op b for operands of y's shape (no broadcasting).
extern "C" __global__ void binary_same_f32(i64 n, int op, const float* a, const float* b, float* y) {
    GRID_STRIDE(i, n) y[i] = binary_apply(op, a[i], b[i]);
}

// y = a op b with broadcasting: y is contiguous with dims d0..d5 (leading
// dims 1 when the rank is smaller); a and b are read through element
// strides (0 on broadcast axes).
extern "C" __global__ void binary_bcast_f32(i64 n, int op,
        int d0, int d1, int d2, int d3, int d4, int d5,
        i64 as0, i64 as1, i64 as2, i64 as3, i64 as4, i64 as5,
        i64 bs0, i64 bs1, i64 bs2, i64 bs3, i64 bs4, i64 bs5,
        const float* a, const float* b, float* y) {
    const int d[MAXD] = {d0, d1, d2, d3, d4, d5};
    const i64 as[MAXD] = {as0, as1, as2, as3, as4, as5};
    const i64 bs[MAXD] = {bs0, bs1, bs2, bs3, bs4, bs5};
    GRID_STRIDE(i, n) {
        i64 r = i, ao = 0, bo = 0;
        for (int k = MAXD - 1; k >= 0; --k) {
            i64 c = r % d[k];
            r /= d[k];
            ao += c * as[k];
            bo += c * bs[k];
        }
        y[i] = binary_apply(op, a[ao], b[bo]);
    }
}

// dst[dstOff + sum c_k*ds_k] = src[srcOff + sum c_k*ss_k] over the index
// space d0..d5: transposition, slicing, concatenation, broadcasting copies.
extern "C" __global__ void copy_strided_f32(i64 n,
        int d0, int d1, int d2, int d3, int d4, int d5,
        i64 ss0, i64 ss1, i64 ss2, i64 ss3, i64 ss4, i64 ss5, i64 srcOff,
        i64 ds0, i64 ds1, i64 ds2, i64 ds3, i64 ds4, i64 ds5, i64 dstOff,
        const float* src, float* dst) {
    const int d[MAXD] = {d0, d1, d2, d3, d4, d5};
    const i64 ss[MAXD] = {ss0, ss1, ss2, ss3, ss4, ss5};
    const i64 ds[MAXD] = {ds0, ds1, ds2, ds3, ds4, ds5};
    GRID_STRIDE(i, n) {
        i64 r = i, so = srcOff, dof = dstOff;
        for (int k = MAXD - 1; k >= 0; --k) {
            i64 c = r % d[k];
            r /= d[k];
            so += c * ss[k];
            dof += c * ds[k];
        }
        dst[dof] = src[so];
    }
}

// y = x*scale + shift per channel of x [N,C,S]; scale and shift are [C]
// or, with perN, [N,C]; a null pointer leaves that part out.
extern "C" __global__ void channel_affine_f32(i64 n, int C, i64 S,
        const float* scale, int scalePerN, const float* shift, int shiftPerN,
        const float* x, float* y) {
    GRID_STRIDE(i, n) {
        i64 nc = i / S;
        int c = (int)(nc % C);
        float v = x[i];
        if (scale) v *= scale[scalePerN ? nc : c];
        if (shift) v += shift[shiftPerN ? nc : c];
        y[i] = v;
    }
}

// y[n,c,s] += bias[c] in place (y is [N,C,S]).
extern "C" __global__ void bias_add_f32(i64 n, int C, i64 S, const float* bias, float* y) {
    GRID_STRIDE(i, n) y[i] += bias[(i / S) % C];
}

// Nearest-neighbour upsampling of x [NC,H,W] by f: y [NC,H*f,W*f].
extern "C" __global__ void upsample_nearest_f32(i64 n, int H, int W, int f, const float* x, float* y) {
    const int OW = W * f, OH = H * f;
    GRID_STRIDE(i, n) {
        int ox = (int)(i % OW);
        i64 r = i / OW;
        int oy = (int)(r % OH);
        i64 nc = r / OH;
        y[i] = x[(nc * H + oy / f) * W + ox / f];
    }
}
