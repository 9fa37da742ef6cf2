//go:build !purego

package blas

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// haveFastPack reports whether the AVX packing routines below may run.
var haveFastPack = cpu.X86.HasAVX

//go:noescape
func copyRows(dst, src unsafe.Pointer, rows, width, stride int)

//go:noescape
func transpose8x8s(dst, src unsafe.Pointer, blocks, srcStride, dstStride int)

//go:noescape
func transpose4x4d(dst, src unsafe.Pointer, blocks, srcStride, dstStride int)

//go:noescape
func scatterRows(dst, src unsafe.Pointer, rows, panels, width, srcStride, dstStride int)
