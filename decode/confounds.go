package decode

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/decode/glm"
	"gonum.org/v1/gonum/mat"
)

// MotionConfounds are fMRIPrep's names of the six rigid-body motion
// parameters, the usual nuisance regressors of a task GLM.
var MotionConfounds = []string{"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"}

// Limits of a confounds table: fMRIPrep writes a few hundred columns and
// one row per volume.
const (
	maxConfoundLine = 1 << 20
	maxConfoundRows = 1 << 20
)

// ReadConfounds reads the named columns of an fMRIPrep-style confounds
// table (*_desc-confounds_timeseries.tsv: tab-separated, a header of
// column names, one row per volume). "n/a", which fMRIPrep writes where a
// value is undefined (the first row of derivatives and of framewise
// displacement), becomes the mean of the column's other values, so that it
// pulls no regression coefficient. A missing column, a value that is not a
// number, or a column with no value at all is an error naming it.
func ReadConfounds(path string, columns []string) (*mat.Dense, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	defer f.Close()
	return readConfounds(f, path, columns)
}

func readConfounds(r io.Reader, name string, columns []string) (*mat.Dense, error) {
	if len(columns) == 0 {
		return nil, fmt.Errorf("decode: %s: no confound columns asked for", name)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxConfoundLine)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("decode: %s: %w", name, err)
		}
		return nil, fmt.Errorf("decode: %s is empty: want a header of confound names", name)
	}
	header := strings.Split(strings.TrimPrefix(strings.TrimSuffix(sc.Text(), "\r"), "\ufeff"), "\t")
	idx := make([]int, len(columns))
	var missing []string
	for k, c := range columns {
		idx[k] = slices.Index(header, c)
		if idx[k] < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		shown := header
		if len(shown) > 12 {
			shown = append(slices.Clip(shown[:12]), "...")
		}
		return nil, fmt.Errorf("decode: %s has no column %s (it has %s)", name, strings.Join(missing, ", "), strings.Join(shown, ", "))
	}
	var vals []float64 // row-major, len(columns) per row
	rows := 0
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			continue
		}
		rows++
		if rows > maxConfoundRows {
			return nil, fmt.Errorf("decode: %s has more than %d rows", name, maxConfoundRows)
		}
		fields := strings.Split(line, "\t")
		if len(fields) != len(header) {
			return nil, fmt.Errorf("decode: %s row %d has %d fields, the header %d", name, rows, len(fields), len(header))
		}
		for k, i := range idx {
			s := strings.TrimSpace(fields[i])
			if s == "n/a" {
				vals = append(vals, math.NaN())
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("decode: %s row %d column %s: %q is not a finite number (or n/a)", name, rows, columns[k], s)
			}
			vals = append(vals, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("decode: %s: %w", name, err)
	}
	if rows == 0 {
		return nil, fmt.Errorf("decode: %s has a header and no rows", name)
	}
	nc := len(columns)
	for k := range columns {
		var sum float64
		n := 0
		for t := 0; t < rows; t++ {
			if v := vals[t*nc+k]; !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("decode: %s column %s is n/a in every row", name, columns[k])
		}
		for t := 0; t < rows; t++ {
			if math.IsNaN(vals[t*nc+k]) {
				vals[t*nc+k] = sum / float64(n)
			}
		}
	}
	return mat.NewDense(rows, nc, vals), nil
}

// AddConfounds reads the named columns of files[i] (ReadConfounds) into
// runs[i] as nuisance regressors of the GLM. Each table must have one row
// per volume of its run.
func AddConfounds(runs []glm.Run, files, columns []string) error {
	if len(files) != len(runs) {
		return fmt.Errorf("decode: %d confounds files for %d runs", len(files), len(runs))
	}
	for i, f := range files {
		m, err := ReadConfounds(f, columns)
		if err != nil {
			return err
		}
		if r, _ := m.Dims(); r != runs[i].Timing.Frames {
			return fmt.Errorf("decode: %s has %d rows, its run %s has %d volumes", f, r, runs[i].Name, runs[i].Timing.Frames)
		}
		runs[i].Confounds, runs[i].ConfoundNames = m, slices.Clone(columns)
	}
	return nil
}
