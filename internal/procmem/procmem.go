package procmem

import (
	"fmt"
	"os"
	"strings"
)

// PeakMiB is the process's peak resident memory (Linux's VmHWM in
// /proc/self/status), in MiB, or -1 where that cannot be read.
func PeakMiB() int {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb); err != nil {
				return -1
			}
			return kb / 1024
		}
	}
	return -1
}
