// common.cuh: definitions shared by the neurolatent CUDA kernels.
//
// Conventions (the Go side, cuda/kernels.go, relies on them):
//   - every kernel is extern "C" so that its PTX .entry name is the C name;
//   - parameters are int (.u32), long long (.u64), float (.f32) or a pointer
//     (.u64); the Go side packs each one into a 64-bit slot;
//   - element counts and offsets that can pass 2^31 are long long;
//   - no warp shuffles, no dynamic shared memory, no atomics: block-level
//     cooperation goes through static __shared__ arrays and __syncthreads,
//     which the host emulation (cuda/emu_kernels.cc) reproduces.
#pragma once

typedef long long i64;

#define MAXD 6 // the most axes a strided or broadcast kernel handles

// Grid-stride loop over [0, n).
#define GRID_STRIDE(i, n) \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// Threads per block of the one-block-per-row kernels (softmax, reduce).
#define ROW_THREADS 256
