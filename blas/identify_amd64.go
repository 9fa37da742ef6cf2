//go:build !purego

package blas

// identify reads the vendor, display family and model from CPUID.
func identify() (vendor string, family, model int) {
	_, b, c, d := cpuid(0, 0)
	vendor = string(le32(b)) + string(le32(d)) + string(le32(c))
	a, _, _, _ := cpuid(1, 0)
	family = int(a>>8) & 0xf
	model = int(a>>4) & 0xf
	if family == 0xf {
		family += int(a>>20) & 0xff
	}
	if family == 0x6 || family >= 0xf {
		model += int(a>>12) & 0xf0
	}
	return vendor, family, model
}
