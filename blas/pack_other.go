//go:build purego || !amd64

package blas

import "unsafe"

const haveFastPack = false

func copyRows(dst, src unsafe.Pointer, rows, width, stride int) { panic("unreachable") }

func transpose8x8s(dst, src unsafe.Pointer, blocks, srcStride, dstStride int) {
	panic("unreachable")
}

func transpose4x4d(dst, src unsafe.Pointer, blocks, srcStride, dstStride int) {
	panic("unreachable")
}

func scatterRows(dst, src unsafe.Pointer, rows, panels, width, srcStride, dstStride int) {
	panic("unreachable")
}
