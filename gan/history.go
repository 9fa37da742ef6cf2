package gan

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/neurolatent/neurolatent/internal/atomicfile"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
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
// average, into a PNG. Steps are labelled with whole numbers, and the
// legend sits in a column right of the axes, where it hides no curve.
func (h *History) Plot(path string) error {
	if len(h.Steps) == 0 {
		return nil
	}
	p := plot.New()
	p.Title.Text = "Training losses"
	p.X.Label.Text = "step"
	p.X.Tick.Marker = IntTicks{}
	p.Y.Label.Text = "loss"
	if h.allPositive() { // losses of very different sizes share the plot
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Label.Text = "loss (log scale)"
	}
	leg := plot.NewLegend()
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
		leg.Add(name, ls)
	}
	img := vgimg.New(8*vg.Inch, 4*vg.Inch)
	dc := draw.New(img)
	legendW := 1.3 * vg.Inch
	p.Draw(draw.Crop(dc, 0, -legendW, 0, 0))
	leg.Top, leg.Left = true, true
	leg.YOffs = -p.Title.TextStyle.Height(p.Title.Text) - vg.Points(8) // level with the axes' top
	leg.Draw(draw.Crop(dc, dc.Max.X-legendW+vg.Points(6), 0, 0, 0))
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
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

// IntTicks marks whole numbers only (steps, epochs, counts): gonum's
// default ticks put fractional labels such as 2.5 on short axes.
type IntTicks struct{}

// Ticks returns plot.DefaultTicks's ticks at whole numbers, labelled
// without decimals, or every whole number when the range holds fewer
// than two of the defaults.
func (IntTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) { // one step: DefaultTicks panics on an empty range
		v := math.Round(lo)
		return []plot.Tick{{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)}}
	}
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value == math.Trunc(t.Value) {
			if t.Label != "" {
				t.Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
			}
			out = append(out, t)
		}
	}
	labelled := 0
	for _, t := range out {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 && hi-lo < 50 {
		out = out[:0]
		for v := math.Ceil(lo); v <= hi; v++ {
			out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
		}
	}
	return out
}

// logTicks labels a log axis by powers of ten when it spans two decades
// or more, and with ordinary ticks when it spans less (where powers of ten
// would leave one label or none).
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo > 0 && hi/lo >= 100 {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	return plot.DefaultTicks{}.Ticks(lo, hi)
}
