package glm

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurolatent/neurolatent/decode/events"
	"gonum.org/v1/gonum/mat"
)

// defaultHighPass is SPM's default high-pass cut-off period in seconds.
const defaultHighPass = 128

// columns is a set of named regressors of one run.
type columns struct {
	names []string
	cols  [][]float64
}

func (c *columns) add(name string, v []float64) {
	c.names = append(c.names, name)
	c.cols = append(c.cols, v)
}

// matrix returns the regressors as a frames-by-len(cols) matrix.
func (c *columns) matrix(frames int) *mat.Dense {
	m := mat.NewDense(frames, len(c.cols), nil)
	for j, col := range c.cols {
		for i, v := range col {
			m.Set(i, j, v)
		}
	}
	return m
}

// eventRegressor is the response to one event, with errors naming it.
func eventRegressor(tm Timing, e events.Event, what string) ([]float64, error) {
	if math.IsNaN(e.Duration) {
		return nil, fmt.Errorf("glm: %s has duration n/a; a GLM needs durations (use 0 for an impulse)", what)
	}
	if end := float64(tm.Frames) * tm.TR; e.Onset >= end {
		return nil, fmt.Errorf("glm: %s starts at %g s, after the end of the run (%d volumes x %g s = %g s)", what, e.Onset, tm.Frames, tm.TR, end)
	}
	if err := checkDuration(tm, e.Duration, what); err != nil {
		return nil, err
	}
	r, err := tm.Regressor([]float64{e.Onset}, []float64{e.Duration}, nil)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, what)
	}
	return r, nil
}

// checkDuration refuses an event that lasts longer than the whole run: a
// duration in milliseconds, or a corrupt value, whose regressor would be
// meaningless (a value such as 1e300 used to come out as a regressor of
// zeros, reported as such).
func checkDuration(tm Timing, d float64, what string) error {
	if run := float64(tm.Frames) * tm.TR; d > run {
		return fmt.Errorf("glm: %s has duration %g s, longer than the run (%d volumes x %g s = %g s): durations must be in seconds", what, d, tm.Frames, tm.TR, run)
	}
	return nil
}

// conditionRegressors adds one regressor per trial_type for the events
// picked by idx, in sorted order of the types, named prefix+type.
func conditionRegressors(c *columns, tm Timing, evs []events.Event, idx []int, prefix string) error {
	byType := map[string][]int{}
	for _, i := range idx {
		byType[evs[i].TrialType] = append(byType[evs[i].TrialType], i)
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		var on, du []float64
		for _, i := range byType[t] {
			e := evs[i]
			if math.IsNaN(e.Duration) {
				return fmt.Errorf("glm: event %d (%q at %g s) has duration n/a; a GLM needs durations", i, t, e.Onset)
			}
			if err := checkDuration(tm, e.Duration, fmt.Sprintf("event %d (%q at %g s)", i, t, e.Onset)); err != nil {
				return err
			}
			on, du = append(on, e.Onset), append(du, e.Duration)
		}
		r, err := tm.Regressor(on, du, nil)
		if err != nil {
			return err
		}
		c.add(prefix+t, r)
	}
	return nil
}

// confounds returns the drift cosines (for the high-pass cut-off hp in
// seconds; none when hp < 0, 128 s when 0) and the constant.
func confounds(tm Timing, hp float64) (*columns, error) {
	if hp == 0 {
		hp = defaultHighPass
	}
	var c columns
	if hp > 0 {
		d, err := CosineDrift(tm.Frames, tm.TR, hp)
		if err != nil {
			return nil, err
		}
		if d != nil {
			_, k := d.Dims()
			for j := 0; j < k; j++ {
				c.add(fmt.Sprintf("drift cosine %d", j+1), mat.Col(nil, j, d))
			}
		}
	}
	one := make([]float64, tm.Frames)
	for i := range one {
		one[i] = 1
	}
	c.add("constant", one)
	return &c, nil
}
