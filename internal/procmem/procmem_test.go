package procmem

import (
	"runtime"
	"testing"
)

// TestPeakMiB: on Linux the peak grows past a 64 MiB allocation that was
// touched; elsewhere the figure is -1.
func TestPeakMiB(t *testing.T) {
	before := PeakMiB()
	if runtime.GOOS != "linux" {
		if before != -1 {
			t.Errorf("PeakMiB off Linux: %d", before)
		}
		return
	}
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = byte(i)
	}
	after := PeakMiB()
	runtime.KeepAlive(b)
	if before < 1 || after < before+60 {
		t.Errorf("peak %d MiB before and %d after touching 64 MiB", before, after)
	}
}
