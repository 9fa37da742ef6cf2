// all.cu: the single translation unit compiled to PTX by gen.sh (one
// module per architecture) and, under emulation, by cuda/emu_kernels.cc.
#include "elementwise.cu"
#include "pool.cu"
#include "conv.cu"
#include "gemm.cu"
#include "decode.cu"
