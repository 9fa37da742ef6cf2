// conv.cu: the data movement around the GEMMs of convolution (im2col) and
// transposed convolution (col2im, a gather: no atomics, deterministic).
#include "common.cuh"

// For nb images, col[b][(c*KH + kh)*KW + kw][oy*OW + ox] = x[b][c][iy][ix]
// with iy = oy*SH - PT + kh*DH (zero outside the image). x points at the
// first channel of the group; images are xImg apart, col images colImg.
extern "C" __global__ void im2col_f32(i64 n, int nb, int C, int H, int W, int KH, int KW,
        int OH, int OW, int SH, int SW, int DH, int DW, int PT, int PL,
        const float* x, i64 xImg, float* col, i64 colImg) {
    const i64 per = (i64)C * KH * KW * OH * OW;
    GRID_STRIDE(i, n) {
        const i64 b = i / per;
        i64 r = i - b * per;
        const int ox = (int)(r % OW); r /= OW;
        const int oy = (int)(r % OH); r /= OH;
        const int kw = (int)(r % KW); r /= KW;
        const int kh = (int)(r % KH);
        const int c = (int)(r / KH);
        const int iy = oy * SH - PT + kh * DH;
        const int ix = ox * SW - PL + kw * DW;
        float v = 0.f;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[b * xImg + ((i64)c * H + iy) * W + ix];
        col[b * colImg + (i - b * per)] = v;
    }
}

// Transposed convolution's scatter done as a gather: for nb images,
// y[b][o][oy][ox] = bias[o] + sum over (kh, kw) of
// col[b][(o*KH + kh)*KW + kw][iy*W + ix] where oy = iy*SH - PT + kh*DH.
// col images are colImg apart; y points at the group's first output
// channel and its images are yImg apart; bias may be null.
extern "C" __global__ void col2im_f32(i64 n, int nb, int O, int OH, int OW, int H, int W,
        int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL,
        const float* col, i64 colImg, const float* bias, float* y, i64 yImg) {
    const i64 per = (i64)O * OH * OW;
    GRID_STRIDE(i, n) {
        const i64 b = i / per;
        i64 r = i - b * per;
        const int ox = (int)(r % OW); r /= OW;
        const int oy = (int)(r % OH);
        const int o = (int)(r / OH);
        const float* cb = col + b * colImg;
        float s = bias ? bias[o] : 0.f;
        for (int kh = 0; kh < KH; ++kh) {
            const int ty = oy + PT - kh * DH;
            if (ty < 0 || ty % SH != 0) continue;
            const int iy = ty / SH;
            if (iy >= H) continue;
            for (int kw = 0; kw < KW; ++kw) {
                const int tx = ox + PL - kw * DW;
                if (tx < 0 || tx % SW != 0) continue;
                const int ix = tx / SW;
                if (ix >= W) continue;
                s += cb[((i64)(o * KH + kh) * KW + kw) * H * W + (i64)iy * W + ix];
            }
        }
        y[b * yImg + ((i64)o * OH + oy) * OW + ox] = s;
    }
}
