package ridge

import "math"

// selector keeps the best alpha as scores arrive in grid order, exactly as
// scikit-learn's _RidgeGCV: per target when perTarget, else on the mean
// over targets; an alpha replaces the best only with a strictly higher
// score, so ties go to the earlier alpha.
type selector struct {
	perTarget bool
	best      []int     // per target: index of the best alpha so far
	score     []float64 // per target (or [0] overall): best score so far
	started   bool
}

func newSelector(d int, perTarget bool) *selector {
	s := &selector{perTarget: perTarget, best: make([]int, d)}
	if perTarget {
		s.score = make([]float64, d)
	} else {
		s.score = make([]float64, 1)
	}
	return s
}

// offer takes the per-target scores of alpha a and returns, per target,
// whether a is now its best.
func (s *selector) offer(a int, scores []float64, updated []bool) {
	if s.perTarget {
		for j, v := range scores {
			updated[j] = !s.started || v > s.score[j]
			if updated[j] {
				s.score[j], s.best[j] = v, a
			}
		}
	} else {
		var mean float64
		for _, v := range scores {
			mean += v
		}
		mean /= float64(len(scores))
		up := !s.started || mean > s.score[0]
		if up {
			s.score[0] = mean
			for j := range s.best {
				s.best[j] = a
			}
		}
		for j := range updated {
			updated[j] = up
		}
	}
	s.started = true
}

// negMSE sets out[j] to minus the mean over rows of the squared errors in
// column j of the n-by-d row-major e.
func negMSE(e []float64, n, d int, out []float64) {
	clear(out)
	for i := 0; i < n; i++ {
		for j, v := range e[i*d : (i+1)*d] {
			out[j] += v * v
		}
	}
	for j := range out {
		out[j] = -out[j] / float64(n)
		if math.IsNaN(out[j]) {
			out[j] = math.Inf(-1)
		}
	}
}
