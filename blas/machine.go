package blas

import "fmt"

// MachineInfo describes the processor as package blas sees it, and the
// kernels and blocking it chose for it.
type MachineInfo struct {
	Vendor        string // CPUID vendor ("AuthenticAMD", "GenuineIntel"), "" off amd64
	Family, Model int    // display family and model (CPUID leaf 1)
	Core          string // microarchitecture where known ("Zen 4"), else ""
	// UnitWidth is the measured width in bits of the FMA units when the CPU
	// has AVX-512: 512 where a 512-bit FMA runs at the rate of a 256-bit
	// one, 256 where it is split in two; 0 without AVX-512.
	UnitWidth int
	Path      string // kernel path: "avx512", "avx2" or "generic"
	// Float32, Float64 name the micro-kernels (mr x nr) and their blocking.
	Float32, Float64 string
	L1, L2, L3       int // cache sizes in bytes (one core's L1 and L2)
	// Note says why the environment's NLBLAS_PATH was not followed.
	Note string
}

// Machine reports the processor and the kernel choice made for it.
func Machine() MachineInfo {
	c := current()
	m := machine
	m.Path = c.path
	m.Float32 = describe(c.s)
	m.Float64 = describe(c.d)
	m.L1, m.L2, m.L3 = caches.l1, caches.l2, caches.l3
	return m
}

// String is a one-line summary for benchmark logs.
func (m MachineInfo) String() string {
	core := m.Core
	if core == "" {
		core = "unknown core"
	}
	width := ""
	switch m.UnitWidth {
	case 512:
		width = ", AVX-512 on 512-bit units"
	case 256:
		width = ", AVX-512 on 256-bit units"
	}
	s := fmt.Sprintf("%s %s (family %d, model %d)%s; kernels %s: float32 %s, float64 %s", m.Vendor, core, m.Family, m.Model, width, m.Path, m.Float32, m.Float64)
	if m.Note != "" {
		s += "; " + m.Note
	}
	return s
}

func describe[T float](k kernelConfig[T]) string {
	return fmt.Sprintf("%s kc=%d mc=%d nc=%d", k.name, k.kc, k.mc, k.nc)
}

// machine is filled in by init (identify on amd64).
var machine MachineInfo

// coreName names AMD's and Intel's microarchitectures from the display
// family and model, for the cores whose vector units matter here.
func coreName(vendor string, family, model int) string {
	switch vendor {
	case "AuthenticAMD", "HygonGenuine":
		switch family {
		case 0x17:
			return "Zen/Zen 2"
		case 0x19:
			switch {
			case model >= 0x10 && model <= 0x1f, model >= 0x60 && model <= 0x7f, model >= 0xa0 && model <= 0xaf:
				return "Zen 4"
			default:
				return "Zen 3"
			}
		case 0x1a:
			return "Zen 5"
		}
	case "GenuineIntel":
		if family != 6 {
			return ""
		}
		switch model {
		case 0x55:
			return "Skylake-SP/Cascade Lake"
		case 0x6a, 0x6c:
			return "Ice Lake-SP"
		case 0x8f:
			return "Sapphire Rapids"
		case 0xcf:
			return "Emerald Rapids"
		case 0xad, 0xae:
			return "Granite Rapids"
		case 0x7d, 0x7e:
			return "Ice Lake (client)"
		case 0x8c, 0x8d:
			return "Tiger Lake"
		case 0x97, 0x9a, 0xb7, 0xba, 0xbf:
			return "Alder/Raptor Lake"
		case 0x3c, 0x3f, 0x45, 0x46:
			return "Haswell"
		case 0x4f, 0x56, 0x47, 0x3d:
			return "Broadwell"
		case 0x4e, 0x5e, 0x8e, 0x9e, 0xa5:
			return "Skylake (client)"
		}
	}
	return ""
}
