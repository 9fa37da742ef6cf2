package blas

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestMachine: the CPU is identified, and on a core whose vector units are
// known the measured FMA width agrees with the documented one (Zen 4
// splits 512-bit operations over 256-bit units; Zen 5 does not).
func TestMachine(t *testing.T) {
	m := Machine()
	t.Log(m)
	if m.Path != current().path || !strings.Contains(m.String(), m.Path) {
		t.Errorf("Machine reports path %q, in use %q", m.Path, current().path)
	}
	if runtime.GOARCH != "amd64" || m.Vendor == "" {
		return
	}
	if m.Family == 0 {
		t.Errorf("family 0 from CPUID: %+v", m)
	}
	switch {
	case !cpu.X86.HasAVX512F && m.UnitWidth != 0:
		t.Errorf("unit width %d without AVX-512", m.UnitWidth)
	case cpu.X86.HasAVX512F && m.UnitWidth != 256 && m.UnitWidth != 512:
		t.Errorf("unit width %d with AVX-512", m.UnitWidth)
	case m.Core == "Zen 4" && m.UnitWidth != 256 && m.UnitWidth != 0:
		t.Errorf("Zen 4 measured as %d-bit units", m.UnitWidth)
	}
}

func TestCoreName(t *testing.T) {
	for _, c := range []struct {
		vendor        string
		family, model int
		want          string
	}{
		{"AuthenticAMD", 0x19, 0x11, "Zen 4"}, // EPYC 9004 (Genoa)
		{"AuthenticAMD", 0x19, 0x61, "Zen 4"}, // Ryzen 7000
		{"AuthenticAMD", 0x19, 0x01, "Zen 3"}, // EPYC 7003 (Milan)
		{"AuthenticAMD", 0x1a, 0x02, "Zen 5"}, // EPYC 9005 (Turin)
		{"GenuineIntel", 6, 0x8f, "Sapphire Rapids"},
		{"GenuineIntel", 6, 0x01, ""},
		{"GenuineIntel", 0xf, 0x01, ""},
		{"", 0, 0, ""},
	} {
		if got := coreName(c.vendor, c.family, c.model); got != c.want {
			t.Errorf("%s family %#x model %#x: %q, want %q", c.vendor, c.family, c.model, got, c.want)
		}
	}
}
