package gan

import (
	"math"
	"strings"
	"testing"
)

// Step axes are labelled with whole numbers only (issue 21: losses.png had
// 2.5-step ticks).
func TestIntTicks(t *testing.T) {
	for _, r := range [][2]float64{{1, 4}, {0, 10}, {1, 3}, {0, 1000}, {100, 137}, {5, 5}} {
		ticks := IntTicks{}.Ticks(r[0], r[1])
		labelled := 0
		for _, tk := range ticks {
			if tk.Value != math.Trunc(tk.Value) {
				t.Errorf("%v: tick at %g", r, tk.Value)
			}
			if tk.Label != "" {
				labelled++
				if strings.ContainsAny(tk.Label, ".e") {
					t.Errorf("%v: label %q", r, tk.Label)
				}
			}
		}
		if labelled == 0 {
			t.Errorf("%v: no labelled tick", r)
		}
	}
}
