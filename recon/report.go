package recon

import (
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Files written by Write.
const (
	ReconstructionsPNG = "reconstructions.png"
	MetricsJSON        = "metrics.json"
	IdentificationPNG  = "identification.png"
	ReliabilityPNG     = "reliability.png" // with repeated test stimuli
)

// Write saves the three report files in dir: the reconstruction grid (the
// first cols test stimuli; below them, row by row, the model's, the PCA
// baseline's and pixel ridge's reconstructions), the metrics as JSON and a
// bar plot of identification accuracy with intervals.
func (r *Result) Write(dir string, cols int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("recon: %w", err)
	}
	if err := r.writeGrid(filepath.Join(dir, ReconstructionsPNG), cols); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, MetricsJSON), append(js, '\n')); err != nil {
		return err
	}
	if err := r.plotIdentification(filepath.Join(dir, IdentificationPNG)); err != nil {
		return err
	}
	if r.Reliability != nil {
		return r.Reliability.plot(filepath.Join(dir, ReliabilityPNG))
	}
	return nil
}

func (r *Result) writeGrid(path string, cols int) error {
	if r.Stimuli == nil || r.Reconstructions == nil {
		return errors.New("recon: no images to write")
	}
	s := r.Stimuli.Shape()
	cols = min(max(cols, 1), s[0])
	row := s.TotalSize() / s[0]
	var grid []float32
	rows := 0
	for _, t := range []*nt.Dense{r.Stimuli, r.Reconstructions, r.BaselineReconstructions, r.PixelReconstructions} {
		if t != nil {
			grid = append(grid, nt.Data32(t)[:cols*row]...)
			rows++
		}
	}
	for i, v := range grid {
		grid[i] = min(max(v, 0), 1)
	}
	// Small images are enlarged (nearest neighbour) so the grid is readable.
	f := max(1, 96/max(s[2], 1))
	big := enlarge(grid, rows*cols*s[1], s[2], s[3], f)
	return nt.SavePNGGrid(path, nt.New32(big, rows*cols, s[1], s[2]*f, s[3]*f), nt.GridOptions{Cols: cols, Padding: 2})
}

// enlarge repeats every pixel of n planes [h, w] f x f times.
func enlarge(src []float32, n, h, w, f int) []float32 {
	if f == 1 {
		return src
	}
	out := make([]float32, 0, len(src)*f*f)
	for p := range n {
		plane := src[p*h*w : (p+1)*h*w]
		for y := range h * f {
			row := plane[(y/f)*w : (y/f+1)*w]
			for x := range w * f {
				out = append(out, row[x/f])
			}
		}
	}
	return out
}

// plotIdentification draws pairwise identification in pixel and latent
// space for every decoder, with 95% bootstrap intervals as error bars and
// chance at 0.5.
func (r *Result) plotIdentification(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Pairwise identification (%d test images; bars: 95%% bootstrap intervals)", r.TestStimuli)
	if r.Rescale == RescaleTransductive {
		p.Title.Text += "\nlatent codes rescaled TRANSDUCTIVELY (with the test predictions' own mean and SD)"
	}
	p.Y.Label.Text = "accuracy"
	p.Y.Min, p.Y.Max = 0, 1.3 // room above the bars for the legend
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25}, {Value: 0.5, Label: "0.5"},
		{Value: 0.75}, {Value: 1, Label: "1"}})
	var names []string
	for _, s := range r.All {
		names = append(names, s.Space+"\n"+string(s.Method))
	}
	w := vg.Points(14)
	for _, m := range []struct {
		metric string
		label  string
		col    color.RGBA
		x      float64
	}{{PairwisePixel, "pixel space", color.RGBA{0xff, 0x7f, 0x0e, 255}, -0.18},
		{PairwiseLatent, "latent space (standardised)", color.RGBA{0x1f, 0x77, 0xb4, 255}, 0.18}} {
		var vals plotter.Values
		var bars errorBars
		for i, s := range r.All {
			e, ok := s.Metrics[m.metric]
			if !ok {
				vals = append(vals, 0)
				continue
			}
			vals = append(vals, e.Value)
			bars = append(bars, errorBar{x: float64(i) + m.x, y: e.Value, lo: e.Value - e.CI[0], hi: e.CI[1] - e.Value})
		}
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return err
		}
		b.Color, b.XMin = m.col, m.x
		b.LineStyle.Width = 0
		p.Add(b)
		p.Legend.Add(m.label, b)
		if len(bars) > 0 {
			eb, err := plotter.NewYErrorBars(bars)
			if err != nil {
				return err
			}
			eb.LineStyle.Width = vg.Points(1)
			p.Add(eb)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	chance, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0.5}, {X: float64(len(names)) - 0.5, Y: 0.5}})
	if err != nil {
		return err
	}
	chance.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(chance)
	p.Legend.Add("chance", chance)
	p.NominalX(names...)
	wt, err := p.WriterTo(vg.Length(max(7, 1.3*float64(len(names))))*vg.Inch, 4.5*vg.Inch, "png")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// errorBar is a value with the distances to its interval's ends.
type errorBar struct{ x, y, lo, hi float64 }

type errorBars []errorBar

func (e errorBars) Len() int                        { return len(e) }
func (e errorBars) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e errorBars) YError(i int) (float64, float64) { return e[i].lo, e[i].hi }
