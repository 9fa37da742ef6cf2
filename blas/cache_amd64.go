//go:build !purego

package blas

// cpuid executes the CPUID instruction with the given leaf (EAX) and
// sub-leaf (ECX).
//
//go:noescape
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// detectCaches reads the data cache sizes of one core from CPUID: the
// deterministic cache parameters leaf (4 on Intel, 0x8000001D on AMD and
// Hygon). It returns the sizes in bytes of the L1 data cache, the L2 cache
// and the L3 cache, and how many logical processors share the L3; a size
// that cannot be read is 0.
func detectCaches() (l1, l2, l3, l3Share int) {
	maxLeaf, b, c, d := cpuid(0, 0)
	vendor := string(le32(b)) + string(le32(d)) + string(le32(c))
	var leaf uint32
	switch vendor {
	case "GenuineIntel":
		if maxLeaf >= 4 {
			leaf = 4
		}
	case "AuthenticAMD", "HygonGenuine":
		maxExt, _, _, _ := cpuid(0x80000000, 0)
		_, _, ext1c, _ := cpuid(0x80000001, 0)
		// TopologyExtensions (bit 22) announces leaf 0x8000001D.
		if maxExt >= 0x8000001D && ext1c&(1<<22) != 0 {
			leaf = 0x8000001D
		}
	}
	if leaf == 0 {
		return 0, 0, 0, 0
	}
	for i := uint32(0); i < 16; i++ {
		a, b, c, _ := cpuid(leaf, i)
		typ := a & 0x1f
		if typ == 0 {
			break
		}
		if typ != 1 && typ != 3 { // data or unified
			continue
		}
		level := (a >> 5) & 7
		line := int(b&0xfff) + 1
		parts := int((b>>12)&0x3ff) + 1
		ways := int((b>>22)&0x3ff) + 1
		sets := int(c) + 1
		size := line * parts * ways * sets
		switch level {
		case 1:
			l1 = size
		case 2:
			l2 = size
		case 3:
			l3 = size
			l3Share = int((a>>14)&0xfff) + 1
		}
	}
	return l1, l2, l3, l3Share
}

func le32(x uint32) []byte {
	return []byte{byte(x), byte(x >> 8), byte(x >> 16), byte(x >> 24)}
}
