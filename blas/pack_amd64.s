//go:build !purego

#include "textflag.h"

// func copyRows(dst, src unsafe.Pointer, rows, width, stride int)
//
// Copies rows runs of width bytes (a multiple of 4) from src, src+stride,
// ... to dst, dst+width, ... (contiguous). Needs AVX.
TEXT ·copyRows(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ width+24(FP), DX
	MOVQ stride+32(FP), R8
	TESTQ CX, CX
	JEQ copyRows_done

copyRows_row:
	MOVQ SI, R9
	MOVQ DX, R10

copyRows_c128:
	CMPQ R10, $128
	JLT copyRows_c32
	VMOVDQU (R9), Y0
	VMOVDQU 32(R9), Y1
	VMOVDQU 64(R9), Y2
	VMOVDQU 96(R9), Y3
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	ADDQ $128, R9
	ADDQ $128, DI
	SUBQ $128, R10
	JMP copyRows_c128

copyRows_c32:
	CMPQ R10, $32
	JLT copyRows_c8
	VMOVDQU (R9), Y0
	VMOVDQU Y0, (DI)
	ADDQ $32, R9
	ADDQ $32, DI
	SUBQ $32, R10
	JMP copyRows_c32

copyRows_c8:
	CMPQ R10, $8
	JLT copyRows_c4
	MOVQ (R9), AX
	MOVQ AX, (DI)
	ADDQ $8, R9
	ADDQ $8, DI
	SUBQ $8, R10
	JMP copyRows_c8

copyRows_c4:
	CMPQ R10, $4
	JLT copyRows_next
	MOVL (R9), AX
	MOVL AX, (DI)
	ADDQ $4, DI

copyRows_next:
	ADDQ R8, SI
	DECQ CX
	JNE copyRows_row

copyRows_done:
	VZEROUPPER
	RET

// func transpose8x8s(dst, src unsafe.Pointer, blocks, srcStride, dstStride int)
//
// For b = 0..blocks-1, transposes the 8×8 float32 block whose rows start at
// src + b*32 + r*srcStride into the rows dst + b*8*dstStride + c*dstStride.
// Needs AVX.
TEXT ·transpose8x8s(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	MOVQ srcStride+24(FP), R8
	MOVQ dstStride+32(FP), R11
	LEAQ (R8)(R8*2), R10  // 3*srcStride
	LEAQ (R11)(R11*2), R12 // 3*dstStride
	TESTQ CX, CX
	JEQ t8_done

t8_loop:
	LEAQ (SI)(R8*4), R9
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VMOVUPS (R9), Y4
	VMOVUPS (R9)(R8*1), Y5
	VMOVUPS (R9)(R8*2), Y6
	VMOVUPS (R9)(R10*1), Y7

	VUNPCKLPS Y1, Y0, Y8  // r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]
	VUNPCKHPS Y1, Y0, Y9  // r0[2] r1[2] r0[3] r1[3] | r0[6] ...
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0  // r0..r3[0] | r0..r3[4]
	VSHUFPS $0xEE, Y10, Y8, Y1  // r0..r3[1] | [5]
	VSHUFPS $0x44, Y11, Y9, Y2  // [2] | [6]
	VSHUFPS $0xEE, Y11, Y9, Y3  // [3] | [7]
	VSHUFPS $0x44, Y14, Y12, Y4 // r4..r7[0] | [4]
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8  // column 0
	VPERM2F128 $0x20, Y5, Y1, Y9  // column 1
	VPERM2F128 $0x20, Y6, Y2, Y10 // column 2
	VPERM2F128 $0x20, Y7, Y3, Y11 // column 3
	VPERM2F128 $0x31, Y4, Y0, Y12 // column 4
	VPERM2F128 $0x31, Y5, Y1, Y13 // column 5
	VPERM2F128 $0x31, Y6, Y2, Y14 // column 6
	VPERM2F128 $0x31, Y7, Y3, Y15 // column 7

	LEAQ (DI)(R11*4), R13
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R11*1)
	VMOVUPS Y10, (DI)(R11*2)
	VMOVUPS Y11, (DI)(R12*1)
	VMOVUPS Y12, (R13)
	VMOVUPS Y13, (R13)(R11*1)
	VMOVUPS Y14, (R13)(R11*2)
	VMOVUPS Y15, (R13)(R12*1)

	ADDQ $32, SI
	LEAQ (R13)(R11*4), DI
	DECQ CX
	JNE t8_loop

t8_done:
	VZEROUPPER
	RET

// func transpose4x4d(dst, src unsafe.Pointer, blocks, srcStride, dstStride int)
//
// For b = 0..blocks-1, transposes the 4×4 float64 block whose rows start at
// src + b*32 + r*srcStride into the rows dst + b*4*dstStride + c*dstStride.
// Needs AVX.
TEXT ·transpose4x4d(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	MOVQ srcStride+24(FP), R8
	MOVQ dstStride+32(FP), R11
	LEAQ (R8)(R8*2), R10
	LEAQ (R11)(R11*2), R12
	TESTQ CX, CX
	JEQ t4_done

t4_loop:
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(R8*1), Y1
	VMOVUPD (SI)(R8*2), Y2
	VMOVUPD (SI)(R10*1), Y3
	VUNPCKLPD Y1, Y0, Y4 // r0[0] r1[0] | r0[2] r1[2]
	VUNPCKHPD Y1, Y0, Y5 // r0[1] r1[1] | r0[3] r1[3]
	VUNPCKLPD Y3, Y2, Y6
	VUNPCKHPD Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0 // column 0
	VPERM2F128 $0x20, Y7, Y5, Y1 // column 1
	VPERM2F128 $0x31, Y6, Y4, Y2 // column 2
	VPERM2F128 $0x31, Y7, Y5, Y3 // column 3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(R11*1)
	VMOVUPD Y2, (DI)(R11*2)
	VMOVUPD Y3, (DI)(R12*1)
	ADDQ $32, SI
	LEAQ (DI)(R11*4), DI
	DECQ CX
	JNE t4_loop

t4_done:
	VZEROUPPER
	RET

// func scatterRows(dst, src unsafe.Pointer, rows, panels, width, srcStride, dstStride int)
//
// For p = 0..rows-1 and q = 0..panels-1, copies width bytes (a multiple of
// 32) from src + p*srcStride + q*width to dst + q*dstStride + p*width: it
// packs rows of a row-major matrix into panels-many column panels, reading
// each source row contiguously. Needs AVX.
TEXT ·scatterRows(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ panels+24(FP), BX
	MOVQ width+32(FP), DX
	MOVQ srcStride+40(FP), R8
	MOVQ dstStride+48(FP), R11
	TESTQ CX, CX
	JEQ sr_done
	TESTQ BX, BX
	JEQ sr_done

sr_row:
	MOVQ SI, R9  // source cursor
	MOVQ DI, R10 // destination of panel q
	MOVQ BX, R12 // panels left

sr_panel:
	MOVQ R10, R13
	MOVQ DX, R14 // bytes left in this chunk
	PREFETCHT0 (R9)(R8*1)

sr_c128:
	CMPQ R14, $128
	JLT sr_c32
	VMOVDQU (R9), Y0
	VMOVDQU 32(R9), Y1
	VMOVDQU 64(R9), Y2
	VMOVDQU 96(R9), Y3
	VMOVDQU Y0, (R13)
	VMOVDQU Y1, 32(R13)
	VMOVDQU Y2, 64(R13)
	VMOVDQU Y3, 96(R13)
	ADDQ $128, R9
	ADDQ $128, R13
	SUBQ $128, R14
	JMP sr_c128

sr_c32:
	CMPQ R14, $32
	JLT sr_next
	VMOVDQU (R9), Y0
	VMOVDQU Y0, (R13)
	ADDQ $32, R9
	ADDQ $32, R13
	SUBQ $32, R14
	JMP sr_c32

sr_next:
	ADDQ R11, R10
	DECQ R12
	JNE sr_panel
	ADDQ R8, SI
	ADDQ DX, DI
	DECQ CX
	JNE sr_row

sr_done:
	VZEROUPPER
	RET
