package latent

import (
	"fmt"
	"math"
)

// Combine returns the row-wise linear combination sum_t coef[t]*terms[t].
// All terms have the same D; each has either N rows or a single row, which
// is broadcast to every row of the result (so a single attribute vector can
// be added to a whole batch). The sums are accumulated in float64 and
// rounded once.
func Combine(coef []float32, terms ...Vectors) (Vectors, error) {
	if len(terms) == 0 {
		return Vectors{}, fmt.Errorf("latent: Combine: %w: no terms", ErrEmpty)
	}
	if len(coef) != len(terms) {
		return Vectors{}, fmt.Errorf("latent: Combine: %d coefficients for %d terms", len(coef), len(terms))
	}
	n, d, err := broadcastShape("Combine", terms...)
	if err != nil {
		return Vectors{}, err
	}
	out := NewVectors(n, d)
	acc := make([]float64, d)
	for i := 0; i < n; i++ {
		clear(acc)
		for t, v := range terms {
			r := v.Row(i % v.N)
			c := float64(coef[t])
			for j, x := range r {
				acc[j] += c * float64(x)
			}
		}
		o := out.Row(i)
		for j, x := range acc {
			o[j] = float32(x)
		}
	}
	return out, nil
}

// Arithmetic returns A - B + C row by row (with broadcasting as in
// Combine): the latent-space analogy "C is to ? as B is to A". With A the
// latents of smiling women, B of neutral women and C of neutral men, the
// result decodes to smiling men; with A = queen, B = woman and C = man, it
// lands near king.
func Arithmetic(a, b, c Vectors) (Vectors, error) {
	return Combine([]float32{1, -1, 1}, a, b, c)
}

// broadcastShape checks that the terms agree on D and on N (up to rows of
// 1) and returns the result's shape.
func broadcastShape(what string, terms ...Vectors) (n, d int, err error) {
	for i, v := range terms {
		if err := v.checkNonEmpty(fmt.Sprintf("%s: term %d", what, i)); err != nil {
			return 0, 0, err
		}
	}
	n, d = 1, terms[0].D
	for i, v := range terms {
		if v.D != d {
			return 0, 0, fmt.Errorf("latent: %s: %w: term %d has %d components, term 0 has %d", what, ErrDim, i, v.D, d)
		}
		if v.N != 1 {
			if n != 1 && v.N != n {
				return 0, 0, fmt.Errorf("latent: %s: %w: term %d has %d rows, another has %d (only 1 row broadcasts)", what, ErrDim, i, v.N, n)
			}
			n = v.N
		}
	}
	return n, d, nil
}

// Lerp returns (1-t)*a + t*b row by row, broadcasting single rows.
func Lerp(a, b Vectors, t float32) (Vectors, error) {
	return Combine([]float32{1 - t, t}, a, b)
}

// Slerp returns the spherical interpolation between the rows of a and b
// (White 2016, "Sampling generative networks"): with omega the angle
// between a and b,
//
//	slerp(a, b; t) = sin((1-t)*omega)/sin(omega) * a + sin(t*omega)/sin(omega) * b
//
// For Gaussian latents it keeps intermediate points at the typical norm,
// where a linear path passes closer to the origin than any sample would.
// Rows that are parallel (or where either is zero) are interpolated
// linearly, which is the limit; rows pointing in opposite directions have
// no unique great circle and get an error.
func Slerp(a, b Vectors, t float32) (Vectors, error) {
	n, d, err := broadcastShape("Slerp", a, b)
	if err != nil {
		return Vectors{}, err
	}
	out := NewVectors(n, d)
	for i := 0; i < n; i++ {
		if err := slerpRow(out.Row(i), a.Row(i%a.N), b.Row(i%b.N), float64(t)); err != nil {
			return Vectors{}, fmt.Errorf("latent: Slerp: row %d: %w", i, err)
		}
	}
	return out, nil
}

// slerpRow writes slerp(a, b; t) into dst.
func slerpRow(dst, a, b []float32, t float64) error {
	na, nb := norm64(a), norm64(b)
	ca, cb := 1-t, t
	if na > 0 && nb > 0 {
		cos := dot64(a, b) / (na * nb)
		cos = math.Max(-1, math.Min(1, cos))
		omega := math.Acos(cos)
		so := math.Sin(omega)
		switch {
		case cos < 0 && so < 1e-6:
			return fmt.Errorf("vectors point in opposite directions (cosine %.7f): slerp is undefined; use Lerp", cos)
		case so >= 1e-6:
			ca = math.Sin((1-t)*omega) / so
			cb = math.Sin(t*omega) / so
		}
	}
	for j := range dst {
		dst[j] = float32(ca*float64(a[j]) + cb*float64(b[j]))
	}
	return nil
}

// Interp selects linear or spherical interpolation. Its values are
// constants, safe for concurrent use.
type Interp int

const (
	// Linear interpolation: (1-t)*a + t*b.
	Linear Interp = iota
	// Spherical interpolation along the great circle (see Slerp).
	Spherical
)

// String returns "lerp" or "slerp".
func (m Interp) String() string {
	switch m {
	case Linear:
		return "lerp"
	case Spherical:
		return "slerp"
	}
	return fmt.Sprintf("Interp(%d)", int(m))
}

// Interpolate returns steps (>= 2) points from a to b inclusive, at
// t = i/(steps-1), one per row: a strip of latents to decode side by side.
func Interpolate(a, b []float32, steps int, m Interp) (Vectors, error) {
	if steps < 2 {
		return Vectors{}, fmt.Errorf("latent: Interpolate: %d steps, need at least 2", steps)
	}
	if len(a) == 0 {
		return Vectors{}, fmt.Errorf("latent: Interpolate: %w: vectors of 0 components", ErrEmpty)
	}
	if len(a) != len(b) {
		return Vectors{}, fmt.Errorf("latent: Interpolate: %w: a has %d components, b has %d", ErrDim, len(a), len(b))
	}
	if m != Linear && m != Spherical {
		return Vectors{}, fmt.Errorf("latent: Interpolate: unknown method %v", m)
	}
	out := NewVectors(steps, len(a))
	for i := 0; i < steps; i++ {
		t := float64(i) / float64(steps-1)
		dst := out.Row(i)
		if m == Spherical {
			if err := slerpRow(dst, a, b, t); err != nil {
				return Vectors{}, fmt.Errorf("latent: Interpolate: %w", err)
			}
			continue
		}
		for j := range dst {
			dst[j] = float32((1-t)*float64(a[j]) + t*float64(b[j]))
		}
	}
	return out, nil
}

// Mean returns the mean of the rows of v, or of the listed rows when rows is
// not nil.
func Mean(v Vectors, rows []int) ([]float32, error) {
	if err := v.checkNonEmpty("Mean"); err != nil {
		return nil, err
	}
	acc := make([]float64, v.D)
	count := 0
	add := func(i int) {
		for j, x := range v.Row(i) {
			acc[j] += float64(x)
		}
		count++
	}
	if rows == nil {
		for i := 0; i < v.N; i++ {
			add(i)
		}
	} else {
		for _, i := range rows {
			if i < 0 || i >= v.N {
				return nil, fmt.Errorf("latent: Mean: row %d out of range [0, %d)", i, v.N)
			}
			add(i)
		}
	}
	if count == 0 {
		return nil, fmt.Errorf("latent: Mean: %w: no rows selected", ErrEmpty)
	}
	out := make([]float32, v.D)
	for j, x := range acc {
		out[j] = float32(x / float64(count))
	}
	return out, nil
}
