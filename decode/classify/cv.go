package classify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/neurolatent/neurolatent/decode/stats"
	"gonum.org/v1/gonum/mat"
)

// Result is the outcome of a cross-validation: one prediction per sample,
// each made by a model that did not see the sample's run. It is a plain
// value: safe for concurrent use as long as no goroutine modifies it.
type Result struct {
	// Classes are all labels, sorted: the rows and columns of Confusion.
	Classes []string `json:"classes"`
	// Labels, Predicted and Runs have one entry per sample, in the order
	// of the patterns.
	Labels    []string `json:"labels"`
	Predicted []string `json:"predicted"`
	Runs      []string `json:"runs"`
	// Correct is the number of right predictions, Accuracy their share.
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// Confusion[i][j] counts the samples of class Classes[i] predicted as
	// Classes[j].
	Confusion [][]int `json:"confusion"`
}

// Hits returns 1 for each right prediction and 0 for each wrong one.
func (r *Result) Hits() []float64 {
	h := make([]float64, len(r.Labels))
	for i := range h {
		if r.Labels[i] == r.Predicted[i] {
			h[i] = 1
		}
	}
	return h
}

// ClassAccuracy returns, for each class, the share of its samples that
// were predicted right (the diagonal of Confusion over its row sums).
func (r *Result) ClassAccuracy() []float64 {
	out := make([]float64, len(r.Classes))
	for i, row := range r.Confusion {
		var n int
		for _, c := range row {
			n += c
		}
		out[i] = math.NaN()
		if n > 0 {
			out[i] = float64(row[i]) / float64(n)
		}
	}
	return out
}

// LeaveOneRunOut cross-validates a classifier across runs: for each run,
// fit trains on the patterns of the other runs and predicts that run's
// patterns. x has one row per sample; labels and runs name each sample's
// class and run. At least two runs are needed.
func LeaveOneRunOut(x mat.Matrix, labels, runs []string, fit Fitter) (*Result, error) {
	folds, err := checkSamples(x, labels, runs)
	if err != nil {
		return nil, err
	}
	return newSplit(x, folds).run(labels, runs, fit)
}

// checkSamples checks the inputs of a cross-validation and returns the
// samples of each run, runs in order of first appearance.
func checkSamples(x mat.Matrix, labels, runs []string) ([][]int, error) {
	n, _, err := checkPatterns(x, len(labels))
	if err != nil {
		return nil, err
	}
	if len(runs) != n {
		return nil, fmt.Errorf("classify: %d patterns and %d run names", n, len(runs))
	}
	for i, l := range labels {
		if l == "" {
			return nil, fmt.Errorf("classify: sample %d has no label", i)
		}
	}
	index := map[string]int{}
	var folds [][]int
	for i, r := range runs {
		k, ok := index[r]
		if !ok {
			k = len(folds)
			index[r] = k
			folds = append(folds, nil)
		}
		folds[k] = append(folds[k], i)
	}
	if len(folds) < 2 {
		return nil, fmt.Errorf("classify: leave-one-run-out needs at least 2 runs, the samples have %d", len(folds))
	}
	return folds, nil
}

// split holds the patterns of each fold, copied once so that
// permutations, which change only the labels, reuse them.
type split struct {
	folds         [][]int // test samples of each fold
	train         [][]int // training samples of each fold
	xTrain, xTest []*mat.Dense
}

func newSplit(x mat.Matrix, folds [][]int) *split {
	n, v := x.Dims()
	s := &split{folds: folds}
	for k, test := range folds {
		train := make([]int, 0, n-len(test))
		for j, f := range folds {
			if j != k {
				train = append(train, f...)
			}
		}
		s.train = append(s.train, train)
		s.xTrain = append(s.xTrain, gather(x, train, v))
		s.xTest = append(s.xTest, gather(x, test, v))
	}
	return s
}

func (s *split) run(labels, runs []string, fit Fitter) (*Result, error) {
	pred := make([]string, len(labels))
	for k, test := range s.folds {
		yTrain := make([]string, len(s.train[k]))
		for i, j := range s.train[k] {
			yTrain[i] = labels[j]
		}
		m, err := fit(s.xTrain[k], yTrain)
		if err != nil {
			return nil, fmt.Errorf("classify: training without run %q: %w", runs[test[0]], err)
		}
		p, err := m.Predict(s.xTest[k])
		if err != nil {
			return nil, fmt.Errorf("classify: predicting run %q: %w", runs[test[0]], err)
		}
		if len(p) != len(test) {
			return nil, fmt.Errorf("classify: the model made %d predictions for the %d samples of run %q", len(p), len(test), runs[test[0]])
		}
		for i, j := range test {
			pred[j] = p[i]
		}
	}
	return newResult(labels, pred, runs), nil
}

// gather copies the rows idx of x.
func gather(x mat.Matrix, idx []int, v int) *mat.Dense {
	out := mat.NewDense(len(idx), v, nil)
	for i, j := range idx {
		mat.Row(out.RawRowView(i), j, x)
	}
	return out
}

func newResult(labels, pred, runs []string) *Result {
	classes := sortedUnique(append(slices.Clone(labels), pred...))
	index := map[string]int{}
	for i, c := range classes {
		index[c] = i
	}
	r := &Result{Classes: classes, Labels: slices.Clone(labels), Predicted: pred, Runs: slices.Clone(runs),
		Confusion: make([][]int, len(classes))}
	for i := range r.Confusion {
		r.Confusion[i] = make([]int, len(classes))
	}
	for i, l := range labels {
		r.Confusion[index[l]][index[pred[i]]]++
		if l == pred[i] {
			r.Correct++
		}
	}
	r.Accuracy = float64(r.Correct) / float64(len(labels))
	return r
}

// Evaluation is a cross-validated accuracy with its uncertainty. It is a
// plain value: safe for concurrent use as long as no goroutine modifies it.
type Evaluation struct {
	*Result
	// CI is the percentile bootstrap interval of the accuracy over the
	// test samples; P the permutation p-value (labels shuffled within
	// runs, the whole cross-validation redone: p = (k+1)/(N+1)).
	CI           [2]float64 `json:"ci"`
	Level        float64    `json:"level"`
	P            float64    `json:"p"`
	Resamples    int        `json:"resamples"`
	Permutations int        `json:"permutations"`
	// NullMean is the mean accuracy under the permutations (near chance).
	NullMean float64 `json:"null_mean"`
	Seed     uint64  `json:"seed"`
}

// Evaluate runs LeaveOneRunOut and adds a bootstrap interval and a
// permutation p-value with the resampling options of package stats
// (opt.Resamples resamples, opt.Permutations permutations, opt.Level,
// opt.Seed; zero fields take stats.Options.WithDefaults' defaults: 2,000
// resamples and permutations, level 0.95). fit must be
// safe for concurrent use (see PermutationNull).
func Evaluate(x mat.Matrix, labels, runs []string, fit Fitter, opt stats.Options) (*Evaluation, error) {
	opt, err := opt.WithDefaults()
	if err != nil {
		return nil, err
	}
	folds, err := checkSamples(x, labels, runs)
	if err != nil {
		return nil, err
	}
	sp := newSplit(x, folds)
	res, err := sp.run(labels, runs, fit)
	if err != nil {
		return nil, err
	}
	e := &Evaluation{Result: res, Level: opt.Level, Resamples: opt.Resamples, Permutations: opt.Permutations, Seed: opt.Seed}
	e.CI = BootstrapInterval(res.Hits(), opt.Resamples, opt.Level, opt.Seed)
	null, err := permutationNull(sp, labels, runs, fit, opt.Permutations, opt.Seed)
	if err != nil {
		return nil, err
	}
	e.P = stats.PValue(res.Accuracy, null, false, stats.Greater)
	for _, a := range null {
		e.NullMean += a
	}
	e.NullMean /= float64(len(null))
	return e, nil
}

// BootstrapInterval is the percentile bootstrap interval of a mean of
// per-sample scores (hits: 1 right, 0 wrong gives the accuracy's) over
// the samples resampled with replacement: stats.Resamples draws the
// resamples from seed and stats.PercentileInterval interpolates the
// quantiles as numpy.percentile does by default.
func BootstrapInterval(scores []float64, resamples int, level float64, seed uint64) [2]float64 {
	mean := func(items []int) float64 {
		var s float64
		for _, i := range items {
			s += scores[i]
		}
		return s / float64(len(items))
	}
	return stats.Interval(mean, stats.Resamples(len(scores), resamples, seed), level)
}

// PermutationNull returns the accuracies of count leave-one-run-out
// cross-validations with the labels shuffled within each run (so that
// each run keeps its classes and the run structure is respected), drawn
// from a stream seeded by seed. The cross-validations run on
// GOMAXPROCS goroutines, so fit must be safe for concurrent use (as
// CorrelationFitter is); the result does not depend on their number.
func PermutationNull(x mat.Matrix, labels, runs []string, fit Fitter, count int, seed uint64) ([]float64, error) {
	if count < 1 {
		return nil, fmt.Errorf("classify: %d permutations", count)
	}
	folds, err := checkSamples(x, labels, runs)
	if err != nil {
		return nil, err
	}
	return permutationNull(newSplit(x, folds), labels, runs, fit, count, seed)
}

func permutationNull(sp *split, labels, runs []string, fit Fitter, count int, seed uint64) ([]float64, error) {
	// The shuffles are drawn in order from one stream, so the null does
	// not depend on how many workers evaluate them.
	rng := rand.New(rand.NewPCG(seed, 0x6c6f726f)) // "loro"
	perms := make([][]string, count)
	cur := slices.Clone(labels)
	for p := range perms {
		for _, f := range sp.folds {
			rng.Shuffle(len(f), func(i, j int) {
				cur[f[i]], cur[f[j]] = cur[f[j]], cur[f[i]]
			})
		}
		perms[p] = slices.Clone(cur)
	}
	null := make([]float64, count)
	errs := make([]error, count)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), count); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p := int(next.Add(1)) - 1
				if p >= count {
					return
				}
				// Accuracy against the shuffled labels.
				r, err := sp.run(perms[p], runs, fit)
				if err != nil {
					errs[p] = fmt.Errorf("permutation %d: %w", p, err)
					next.Store(int64(count)) // stop the others early
					return
				}
				null[p] = r.Accuracy
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return null, nil
}

// ZScoreByRun z-scores each column (voxel) of x in place within each run:
// mean 0 and standard deviation 1 (1/n convention) over that run's rows.
// It uses no labels and no other run, so it can precede a
// cross-validation without leaking the test run into training. It returns
// the voxels that were constant within some run; they are set to 0 there.
func ZScoreByRun(x *mat.Dense, runs []string) ([]int, error) {
	n, v := x.Dims()
	if len(runs) != n {
		return nil, fmt.Errorf("classify: %d rows and %d run names", n, len(runs))
	}
	rows := map[string][]int{}
	var order []string
	for i, r := range runs {
		if _, ok := rows[r]; !ok {
			order = append(order, r)
		}
		rows[r] = append(rows[r], i)
	}
	constant := map[int]bool{}
	col := make([]float64, 0, n)
	for _, r := range order {
		idx := rows[r]
		for j := 0; j < v; j++ {
			col = col[:0]
			for _, i := range idx {
				col = append(col, x.At(i, j))
			}
			if standardize(col) == nil {
				constant[j] = true
				for _, i := range idx {
					x.Set(i, j, 0)
				}
				continue
			}
			for k, i := range idx {
				x.Set(i, j, col[k])
			}
		}
	}
	out := make([]int, 0, len(constant))
	for j := range constant {
		out = append(out, j)
	}
	slices.Sort(out)
	return out, nil
}
