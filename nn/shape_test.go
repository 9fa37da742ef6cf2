package nn_test

import (
	"testing"

	"github.com/neurolatent/neurolatent/nn"
)

func TestNormAxis(t *testing.T) {
	for _, c := range []struct{ axis, rank, want int }{
		{0, 1, 0}, {2, 3, 2}, {-1, 3, 2}, {-3, 3, 0},
	} {
		if got, err := nn.NormAxis(c.axis, c.rank); err != nil || got != c.want {
			t.Errorf("NormAxis(%d, %d) = %d, %v; want %d", c.axis, c.rank, got, err, c.want)
		}
	}
	for _, c := range [][2]int{{3, 3}, {-4, 3}, {0, 0}} {
		if got, err := nn.NormAxis(c[0], c[1]); err == nil {
			t.Errorf("NormAxis(%d, %d) = %d, want an error", c[0], c[1], got)
		}
	}
}
