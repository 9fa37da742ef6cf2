package glm

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// ConditionBetas fits the classic condition-wise GLM of one run: one
// regressor per trial_type (all events of a type convolved together),
// cosine drifts for the high-pass cut-off hp (seconds; 0 means 128 s,
// negative none) and a constant. It returns the types in sorted order and
// their betas (one row per type, one column per voxel).
func ConditionBetas(run Run, hp float64) ([]string, *mat.Dense, error) {
	tm, err := run.Timing.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	if run.Data == nil {
		return nil, nil, fmt.Errorf("glm: %s: no data", run.Name)
	}
	nt, nv := run.Data.Dims()
	if nt != tm.Frames {
		return nil, nil, fmt.Errorf("glm: %s: data has %d volumes, the timing says %d", run.Name, nt, tm.Frames)
	}
	if err := checkFinite(run.Data); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", run.Name, err)
	}
	idx := make([]int, len(run.Events))
	for i := range idx {
		idx[i] = i
	}
	var c columns
	if err := conditionRegressors(&c, tm, run.Events, idx, ""); err != nil {
		return nil, nil, err
	}
	if len(c.cols) == 0 {
		return nil, nil, fmt.Errorf("glm: %s: no events", run.Name)
	}
	k := len(c.cols)
	conf, err := confounds(tm, hp)
	if err != nil {
		return nil, nil, err
	}
	names := c.names
	c.names = append(append([]string{}, c.names...), conf.names...)
	c.cols = append(c.cols, conf.cols...)
	b, err := OLS(c.matrix(tm.Frames), run.Data, c.names)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", run.Name, err)
	}
	return names, mat.DenseCopyOf(b.Slice(0, k, 0, nv)), nil
}
