package glm

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/neurolatent/neurolatent/decode/events"
	"gonum.org/v1/gonum/mat"
)

// Method is the way single-trial responses are estimated. Its values are
// constants, safe for concurrent use.
type Method int

const (
	// LSA (least squares, all): one GLM per run with a regressor per trial.
	LSA Method = iota
	// LSS (least squares, separate; Mumford et al. 2012): one GLM per trial
	// with that trial's regressor and the other trials pooled (all in one
	// regressor, or one per trial_type with Options.LSSByType). Better for
	// fast designs, where LSA's trial regressors are strongly correlated.
	LSS
)

func (m Method) String() string {
	if m == LSS {
		return "LSS"
	}
	return "LSA"
}

// Run is one fMRI run: its timing, its events and its data (one row per
// volume, one column per voxel). It is a plain value: safe for concurrent
// use as long as no goroutine modifies it.
type Run struct {
	Name   string // used in error messages (a file name, say)
	Timing Timing
	Events []events.Event
	Data   *mat.Dense
	// Confounds are nuisance time series (one row per volume, one column
	// per regressor), such as the six motion parameters of an fMRIPrep
	// confounds file (decode.ReadConfounds); ConfoundNames name the
	// columns in error messages. nil: none.
	Confounds     *mat.Dense
	ConfoundNames []string
}

// Options controls TrialBetas. A plain value, safe for concurrent use;
// TrialBetas calls IsTrial from its own goroutine only.
type Options struct {
	Method Method
	// HighPass is the cut-off period in seconds of the cosine drift
	// regressors: 0 means SPM's 128 s, a negative value no drift terms.
	HighPass float64
	// ZScoreBold z-scores each voxel's time series within each run before
	// the fit; ZScoreBetas z-scores each voxel's trial betas within each run
	// after it. Constant voxels become 0 (and are listed in the result).
	ZScoreBold, ZScoreBetas bool
	// IsTrial picks the events that are trials; the others are modelled as
	// nuisance regressors, one per trial_type. nil means every event.
	IsTrial func(e events.Event) bool
	// LSSByType pools the other trials by trial_type in LSS.
	LSSByType bool
}

// Trial identifies the event behind a row of Betas. It is a plain value:
// safe for concurrent use as long as no goroutine modifies it.
type Trial struct {
	Run, Event          int // run index and row in that run's events
	Onset, Duration     float64
	TrialType, StimFile string
}

// Betas are single-trial response estimates: one row per trial (runs in
// order, then events in order), one column per voxel. It is a plain value:
// safe for concurrent use as long as no goroutine modifies it.
type Betas struct {
	Trials []Trial
	Values *mat.Dense
	// ConstantVoxels lists the voxels (columns) that were constant within
	// some run and were set to 0 by z-scoring.
	ConstantVoxels []int
}

// TrialBetas estimates a response per trial and voxel from the runs.
//
// Each run gets its own design: trial regressors (the events convolved
// with the HRF), nuisance regressors for non-trial events, cosine drifts
// and a constant. Data with NaN or Inf, runs whose voxel counts differ,
// data whose length differs from the run's frames, events without a
// duration or after the end of the run, and singular designs are errors.
func TrialBetas(runs []Run, opt Options) (*Betas, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("glm: no runs")
	}
	_, nvox := runs[0].Data.Dims()
	out := &Betas{}
	constant := map[int]bool{}
	var rows []*mat.Dense
	for ri, run := range runs {
		name := run.Name
		if name == "" {
			name = fmt.Sprintf("run %d", ri)
		}
		b, trials, cons, err := runBetas(run, opt, nvox)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, c := range cons {
			constant[c] = true
		}
		for i := range trials {
			trials[i].Run = ri
		}
		out.Trials = append(out.Trials, trials...)
		rows = append(rows, b)
	}
	out.Values = mat.NewDense(len(out.Trials), nvox, nil)
	r0 := 0
	for _, b := range rows {
		n, _ := b.Dims()
		out.Values.Slice(r0, r0+n, 0, nvox).(*mat.Dense).Copy(b)
		r0 += n
	}
	for c := range constant {
		out.ConstantVoxels = append(out.ConstantVoxels, c)
	}
	slices.Sort(out.ConstantVoxels)
	return out, nil
}

func runBetas(run Run, opt Options, nvox int) (*mat.Dense, []Trial, []int, error) {
	tm, err := run.Timing.withDefaults()
	if err != nil {
		return nil, nil, nil, err
	}
	if run.Data == nil {
		return nil, nil, nil, fmt.Errorf("glm: no data")
	}
	nt, nv := run.Data.Dims()
	if nt != tm.Frames {
		return nil, nil, nil, fmt.Errorf("glm: data has %d volumes, the timing says %d", nt, tm.Frames)
	}
	if nv != nvox {
		return nil, nil, nil, fmt.Errorf("glm: %d voxels, the first run has %d", nv, nvox)
	}
	if err := checkFinite(run.Data); err != nil {
		return nil, nil, nil, err
	}
	// The run's data are only read, except by z-scoring, which works on a
	// copy: one copy less of a run (a gigabyte for a whole brain) otherwise.
	y := run.Data
	var constant []int
	if opt.ZScoreBold {
		y = mat.DenseCopyOf(run.Data)
		constant = ZScoreColumns(y)
	}
	var trialIdx, otherIdx []int
	for i, e := range run.Events {
		if opt.IsTrial == nil || opt.IsTrial(e) {
			trialIdx = append(trialIdx, i)
		} else {
			otherIdx = append(otherIdx, i)
		}
	}
	if len(trialIdx) == 0 {
		return nil, nil, nil, fmt.Errorf("glm: no trials among %d events", len(run.Events))
	}
	var trialCols columns
	trials := make([]Trial, len(trialIdx))
	for k, i := range trialIdx {
		e := run.Events[i]
		what := fmt.Sprintf("trial %d (event %d, %q at %g s)", k, i, strings.TrimSpace(e.TrialType+" "+e.StimFile), e.Onset)
		r, err := eventRegressor(tm, e, what)
		if err != nil {
			return nil, nil, nil, err
		}
		trialCols.add(what, r)
		trials[k] = Trial{Event: i, Onset: e.Onset, Duration: e.Duration, TrialType: e.TrialType, StimFile: e.StimFile}
	}
	conf, err := confounds(tm, opt.HighPass)
	if err != nil {
		return nil, nil, nil, err
	}
	var nuis columns
	if err := conditionRegressors(&nuis, tm, run.Events, otherIdx, "non-trial events "); err != nil {
		return nil, nil, nil, err
	}
	conf.names = append(nuis.names, conf.names...)
	conf.cols = append(nuis.cols, conf.cols...)
	if run.Confounds != nil {
		if err := addConfounds(conf, run.Confounds, run.ConfoundNames, tm.Frames); err != nil {
			return nil, nil, nil, err
		}
	}

	var b *mat.Dense
	switch opt.Method {
	case LSA:
		all := columns{names: append(append([]string{}, trialCols.names...), conf.names...),
			cols: append(append([][]float64{}, trialCols.cols...), conf.cols...)}
		full, err := OLS(all.matrix(tm.Frames), y, all.names)
		if err != nil {
			return nil, nil, nil, err
		}
		b = mat.DenseCopyOf(full.Slice(0, len(trialIdx), 0, nvox))
	case LSS:
		var groups []int
		if opt.LSSByType {
			ids := map[string]int{}
			for _, i := range trialIdx {
				t := run.Events[i].TrialType
				if _, ok := ids[t]; !ok {
					ids[t] = len(ids)
				}
				groups = append(groups, ids[t])
			}
		}
		b, err = lss(trialCols, conf, y, groups, tm.Frames)
		if err != nil {
			return nil, nil, nil, err
		}
	default:
		return nil, nil, nil, fmt.Errorf("glm: unknown method %d", opt.Method)
	}
	if opt.ZScoreBetas {
		if len(trialIdx) < 2 {
			return nil, nil, nil, fmt.Errorf("glm: z-scoring betas needs at least 2 trials per run, this run has %d", len(trialIdx))
		}
		constant = append(constant, ZScoreColumns(b)...)
	}
	return b, trials, constant, nil
}

// addConfounds appends a run's nuisance time series to the design's
// confound columns.
func addConfounds(conf *columns, m *mat.Dense, names []string, frames int) error {
	r, c := m.Dims()
	if r != frames {
		return fmt.Errorf("glm: confounds have %d rows, the run has %d volumes", r, frames)
	}
	if names != nil && len(names) != c {
		return fmt.Errorf("glm: %d confound names for %d confound columns", len(names), c)
	}
	if err := checkFinite(m); err != nil {
		return fmt.Errorf("glm: confounds: %w", err)
	}
	for j := 0; j < c; j++ {
		name := fmt.Sprintf("confound %d", j+1)
		if names != nil {
			name = "confound " + names[j]
		}
		conf.add(name, mat.Col(nil, j, m))
	}
	return nil
}

// lss computes LSS betas. By the Frisch-Waugh-Lovell theorem the trial
// coefficient of the design [trial, others..., confounds] equals that of
// [trial, others...] after the confounds are projected out of the
// regressors and the data, so the confounds are removed once and each
// trial needs only a design of 1 + (number of groups) columns. groups gives
// each trial's pooling group (nil: one group).
func lss(trials columns, conf *columns, y *mat.Dense, groups []int, frames int) (*mat.Dense, error) {
	d := conf.matrix(frames)
	if err := checkRank(d, conf.names); err != nil {
		return nil, err
	}
	r := trials.matrix(frames)
	res, err := residualize(d, r, y)
	if err != nil {
		return nil, err
	}
	rt, yt := res[0], res[1]
	nt := len(trials.cols)
	if groups == nil {
		groups = make([]int, nt)
	}
	ng := 0
	for _, g := range groups {
		ng = max(ng, g+1)
	}
	// Group sums of the residualised trial regressors.
	sums := mat.NewDense(frames, ng, nil)
	for j := 0; j < nt; j++ {
		for i := 0; i < frames; i++ {
			sums.Set(i, groups[j], sums.At(i, groups[j])+rt.At(i, j))
		}
	}
	size := make([]int, ng)
	for _, g := range groups {
		size[g]++
	}
	c := mat.NewDense(nt, frames, nil)
	e0 := mat.NewVecDense(1+ng, nil)
	members := make([]int, ng)
	for j := 0; j < nt; j++ {
		// Columns: the trial, then each group's other trials (a group whose
		// only member is this trial is left out).
		cols := [][]float64{mat.Col(nil, j, rt)}
		names := []string{trials.names[j]}
		copy(members, size)
		members[groups[j]]--
		for g := 0; g < ng; g++ {
			if members[g] == 0 {
				continue
			}
			col := mat.Col(nil, g, sums)
			if g == groups[j] {
				for i := range col {
					col[i] -= rt.At(i, j)
				}
			}
			cols = append(cols, col)
			names = append(names, fmt.Sprintf("the other trials (group %d) of %s", g, trials.names[j]))
		}
		x := (&columns{names: names, cols: cols}).matrix(frames)
		if err := checkRank(x, names); err != nil {
			return nil, err
		}
		// Row 0 of the pseudo-inverse of x is the minimum-norm solution z
		// of x^T z = e_0.
		var qr mat.QR
		qr.Factorize(x)
		e := e0.SliceVec(0, len(cols)).(*mat.VecDense)
		e.Zero()
		e.SetVec(0, 1)
		var z mat.Dense
		if err := qr.SolveTo(&z, true, e); err != nil {
			return nil, fmt.Errorf("glm: %s: %w", trials.names[j], err)
		}
		c.SetRow(j, z.RawMatrix().Data)
	}
	var b mat.Dense
	b.Mul(c, yt)
	return &b, nil
}

// checkFinite reports the first NaN or Inf in m with its voxel and volume.
func checkFinite(m *mat.Dense) error {
	r, _ := m.Dims()
	for i := 0; i < r; i++ {
		for j, v := range m.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("glm: voxel %d is %v at volume %d; remove it with the mask", j, v, i)
			}
		}
	}
	return nil
}
