package gan

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/neurolatent/neurolatent/internal/atomicfile"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// History is the loss of every step of a run. It is not safe for concurrent
// use while a goroutine adds to it; reading it from several goroutines is.
type History struct {
	Names  []string
	Steps  []int
	Values [][]float64 // Values[i][j] is loss Names[j] after step Steps[i]
}

// Add appends the losses of a step; their names must not change.
func (h *History) Add(step int, losses []Loss) error {
	names := make([]string, len(losses))
	vals := make([]float64, len(losses))
	for i, l := range losses {
		names[i], vals[i] = l.Name, l.Value
	}
	if h.Names == nil {
		h.Names = names
	} else if !slices.Equal(h.Names, names) {
		return fmt.Errorf("gan: step %d reports losses %v, earlier steps %v", step, names, h.Names)
	}
	h.Steps = append(h.Steps, step)
	h.Values = append(h.Values, vals)
	return nil
}

// Truncate drops entries after step (a resumed run rewrites them).
func (h *History) Truncate(step int) {
	i := 0
	for i < len(h.Steps) && h.Steps[i] <= step {
		i++
	}
	h.Steps, h.Values = h.Steps[:i], h.Values[:i]
}

// WriteCSV writes "step,<names...>" rows atomically.
func (h *History) WriteCSV(path string) error {
	err := atomicfile.Write(path, func(out io.Writer) error {
		w := csv.NewWriter(out)
		_ = w.Write(append([]string{"step"}, h.Names...))
		for i, s := range h.Steps {
			row := []string{strconv.Itoa(s)}
			for _, v := range h.Values[i] {
				row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
			}
			_ = w.Write(row)
		}
		w.Flush()
		return w.Error()
	})
	if err != nil {
		return fmt.Errorf("gan: writing %s: %w", path, err)
	}
	return nil
}

// ReadHistory reads a file written by WriteCSV; a missing file is an empty
// history.
func ReadHistory(path string) (*History, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return &History{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gan: %w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("gan: %s: %w", path, err)
	}
	h := &History{}
	if len(rows) == 0 {
		return h, nil
	}
	if len(rows[0]) < 1 || rows[0][0] != "step" {
		return nil, fmt.Errorf("gan: %s: not a loss history (header %v)", path, rows[0])
	}
	h.Names = rows[0][1:]
	for i, r := range rows[1:] {
		s, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("gan: %s: line %d: step %q", path, i+2, r[0])
		}
		vals := make([]float64, len(r)-1)
		for j, c := range r[1:] {
			if vals[j], err = strconv.ParseFloat(c, 64); err != nil {
				return nil, fmt.Errorf("gan: %s: line %d: %q", path, i+2, c)
			}
		}
		h.Steps = append(h.Steps, s)
		h.Values = append(h.Values, vals)
	}
	return h, nil
}

// Plot draws every loss against the step, raw (faint) and as a moving
// average, into a PNG.
func (h *History) Plot(path string) error {
	if len(h.Steps) == 0 {
		return nil
	}
	p := plot.New()
	p.Title.Text = "Training losses"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss"
	if h.allPositive() { // losses of very different sizes share the plot
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Label.Text = "loss (log scale)"
	}
	window := max(1, len(h.Steps)/50)
	for j, name := range h.Names {
		raw := make(plotter.XYs, len(h.Steps))
		smooth := make(plotter.XYs, len(h.Steps))
		var acc float64
		for i, s := range h.Steps {
			v := h.Values[i][j]
			raw[i] = plotter.XY{X: float64(s), Y: v}
			acc += v
			if i >= window {
				acc -= h.Values[i-window][j]
			}
			smooth[i] = plotter.XY{X: float64(s), Y: acc / float64(min(i+1, window))}
		}
		col := palette[j%len(palette)]
		faint := color.NRGBA{col.R, col.G, col.B, 60} // non-premultiplied: a light tint
		lr, err := plotter.NewLine(raw)
		if err != nil {
			return err
		}
		lr.Color = faint
		ls, err := plotter.NewLine(smooth)
		if err != nil {
			return err
		}
		ls.Color, ls.Width = col, vg.Points(1.5)
		p.Add(lr, ls)
		p.Legend.Add(name, ls)
	}
	p.Legend.Top = true
	wt, err := p.WriterTo(8*vg.Inch, 4*vg.Inch, "png")
	if err == nil {
		err = atomicfile.Write(path, func(w io.Writer) error {
			_, err := wt.WriteTo(w)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("gan: plotting %s: %w", path, err)
	}
	return nil
}

func (h *History) allPositive() bool {
	for _, row := range h.Values {
		for _, v := range row {
			if !(v > 0) {
				return false
			}
		}
	}
	return true
}

var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 255}, {0xd6, 0x27, 0x28, 255}, {0x2c, 0xa0, 0x2c, 255},
	{0xff, 0x7f, 0x0e, 255}, {0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255},
}
