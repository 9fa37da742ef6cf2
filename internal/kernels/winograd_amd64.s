//go:build !purego

#include "textflag.h"

// The transforms of winograd.go, 8 float32 elements (or tiles) per step.
// n is a positive multiple of 8; the Go wrappers check the bounds. Each
// computes exactly what its Go fallback computes, in the same order.

// func deinterleaveAVX2(src, even, odd *float32, n int)
TEXT ·deinterleaveAVX2(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ even+8(FP), DI
	MOVQ odd+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX

deinterleave_loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // s0 s2 s8 s10 | s4 s6 s12 s14
	VSHUFPS $0xDD, Y1, Y0, Y3 // s1 s3 s9 s11 | s5 s7 s13 s15
	VPERMPD $0xD8, Y2, Y2     // 64-bit pairs in order 0 2 1 3
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (DX)
	ADDQ $64, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ deinterleave_loop
	VZEROUPPER
	RET

// WINO_HORIZ finishes one row a of Bᵀ d B for 8 tiles: from the row's
// even columns e[j] (Y0) and e[j+1] (Y1) and odd columns o[j] (Y2) and
// o[j+1] (Y3) it stores V[4a+0..3] = e[j]-e[j+1], o[j]+e[j+1], e[j+1]-o[j],
// o[j]-o[j+1] at R11, R11+R9, R11+2*R9, R11+R10.
#define WINO_HORIZ \
	VSUBPS  Y1, Y0, Y4; \
	VADDPS  Y1, Y2, Y5; \
	VSUBPS  Y2, Y1, Y6; \
	VSUBPS  Y3, Y2, Y7; \
	VMOVUPS Y4, (R11); \
	VMOVUPS Y5, (R11)(R9*1); \
	VMOVUPS Y6, (R11)(R9*2); \
	VMOVUPS Y7, (R11)(R10*1); \
	ADDQ    R12, R11

// WINO_VERT loads rows p and q (byte offsets P and Q from SI and DI) of the
// even and odd planes at tiles j and j+1 and combines them with OP (q from
// p, or p with q for ADD) into Y0..Y3.
#define WINO_VERT(OP, P, Q) \
	VMOVUPS 0(SI)(P*1), Y0; \
	OP      0(SI)(Q*1), Y0, Y0; \
	VMOVUPS 4(SI)(P*1), Y1; \
	OP      4(SI)(Q*1), Y1, Y1; \
	VMOVUPS 0(DI)(P*1), Y2; \
	OP      0(DI)(Q*1), Y2, Y2; \
	VMOVUPS 4(DI)(P*1), Y3; \
	OP      4(DI)(Q*1), Y3, Y3

// func winoInputAVX2(e, o *float32, ld int, v *float32, vs, n int)
TEXT ·winoInputAVX2(SB), NOSPLIT, $0-48
	MOVQ e+0(FP), SI
	MOVQ o+8(FP), DI
	MOVQ ld+16(FP), DX
	SHLQ $2, DX            // one row, bytes
	LEAQ (DX)(DX*2), BX    // three rows
	LEAQ (DX)(DX*1), R13   // two rows
	XORQ AX, AX            // row zero
	MOVQ v+24(FP), R8
	MOVQ vs+32(FP), R9
	SHLQ $2, R9            // one plane of V, bytes
	LEAQ (R9)(R9*2), R10   // three planes
	MOVQ R9, R12
	SHLQ $2, R12           // four planes: the next row of Bᵀ d B
	MOVQ n+40(FP), CX
	SHRQ $3, CX

input_loop:
	MOVQ R8, R11
	WINO_VERT(VSUBPS, AX, R13) // r0 - r2
	WINO_HORIZ
	WINO_VERT(VADDPS, DX, R13) // r1 + r2
	WINO_HORIZ
	WINO_VERT(VSUBPS, R13, DX) // r2 - r1
	WINO_HORIZ
	WINO_VERT(VSUBPS, DX, BX)  // r1 - r3
	WINO_HORIZ
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	DECQ CX
	JNZ  input_loop
	VZEROUPPER
	RET

// WINO_COL computes column b of Aᵀ m for 8 tiles from the planes at R11,
// R11+R9, R11+2*R9, R11+R10 (M[b], M[4+b], M[8+b], M[12+b]): S0 = m0+m1+m2
// and S1 = m1-m2-m3; then moves R11 to the next column's planes.
#define WINO_COL(S0, S1) \
	VMOVUPS (R11)(R9*1), Y8; \
	VMOVUPS (R11)(R9*2), Y9; \
	VADDPS  (R11), Y8, S0; \
	VADDPS  Y9, S0, S0; \
	VSUBPS  Y9, Y8, S1; \
	VSUBPS  (R11)(R10*1), S1, S1; \
	ADDQ    DX, R11

// WINO_ROW finishes one output row from its columns C0..C3 of Aᵀ m:
// even outputs C0+C1+C2+bias, odd ones C1-C2-C3+bias, interleaved and
// stored as 16 floats at DST.
#define WINO_ROW(C0, C1, C2, C3, DST) \
	VADDPS     C1, C0, Y8; \
	VADDPS     C2, Y8, Y8; \
	VADDPS     Y15, Y8, Y8; \
	VSUBPS     C2, C1, Y9; \
	VSUBPS     C3, Y9, Y9; \
	VADDPS     Y15, Y9, Y9; \
	VUNPCKLPS  Y9, Y8, Y12; \
	VUNPCKHPS  Y9, Y8, Y13; \
	VPERM2F128 $0x20, Y13, Y12, Y14; \
	VPERM2F128 $0x31, Y13, Y12, Y12; \
	VMOVUPS    Y14, (DST); \
	VMOVUPS    Y12, 32(DST)

// func winoOutputAVX2(m *float32, ms int, bias float32, y0, y1 *float32, n int)
TEXT ·winoOutputAVX2(SB), NOSPLIT, $0-48
	MOVQ m+0(FP), SI
	MOVQ ms+8(FP), DX
	SHLQ $2, DX            // one plane of M, bytes
	MOVQ DX, R9
	SHLQ $2, R9            // four planes: the next row of m
	LEAQ (R9)(R9*2), R10   // twelve planes
	VBROADCASTSS bias+16(FP), Y15
	MOVQ y0+24(FP), DI
	MOVQ y1+32(FP), R8
	MOVQ n+40(FP), CX
	SHRQ $3, CX

output_loop:
	MOVQ SI, R11
	WINO_COL(Y0, Y4)
	WINO_COL(Y1, Y5)
	WINO_COL(Y2, Y6)
	WINO_COL(Y3, Y7)
	WINO_ROW(Y0, Y1, Y2, Y3, DI)
	WINO_ROW(Y4, Y5, Y6, Y7, R8)
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $64, R8
	DECQ CX
	JNZ  output_loop
	VZEROUPPER
	RET
