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
)

// Write saves the three report files in dir: the reconstruction grid (the
// first cols test stimuli above their reconstructions, the baseline's
// below), the metrics as JSON and a bar plot of identification accuracy.
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
	return r.plotIdentification(filepath.Join(dir, IdentificationPNG))
}

func (r *Result) writeGrid(path string, cols int) error {
	if r.Stimuli == nil || r.Reconstructions == nil || r.BaselineReconstructions == nil {
		return errors.New("recon: no images to write")
	}
	s := r.Stimuli.Shape()
	cols = min(max(cols, 1), s[0])
	row := s.TotalSize() / s[0]
	var grid []float32
	for _, t := range []*nt.Dense{r.Stimuli, r.Reconstructions, r.BaselineReconstructions} {
		grid = append(grid, nt.Data32(t)[:cols*row]...)
	}
	for i, v := range grid {
		grid[i] = min(max(v, 0), 1)
	}
	// Small images are enlarged (nearest neighbour) so the grid is readable.
	f := max(1, 96/max(s[2], 1))
	big := enlarge(grid, 3*cols*s[1], s[2], s[3], f)
	return nt.SavePNGGrid(path, nt.New32(big, 3*cols, s[1], s[2]*f, s[3]*f), cols, false, 2)
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

// plotIdentification draws pairwise identification in latent and pixel
// space for every space and method, with chance at 0.5.
func (r *Result) plotIdentification(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Pairwise identification (%d test images)", r.TestStimuli)
	p.Y.Label.Text = "accuracy"
	p.Y.Min, p.Y.Max = 0, 1.25 // room above the bars for the legend
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25}, {Value: 0.5, Label: "0.5"},
		{Value: 0.75}, {Value: 1, Label: "1"}})
	var latent, pixel plotter.Values
	var names []string
	for _, s := range r.All {
		latent = append(latent, s.PairwiseLatent)
		pixel = append(pixel, s.PairwisePixel)
		names = append(names, s.Space+" "+s.Method)
	}
	w := vg.Points(18)
	bl, err := plotter.NewBarChart(latent, w)
	if err != nil {
		return err
	}
	bl.Color, bl.Offset = color.RGBA{0x1f, 0x77, 0xb4, 255}, -w/2
	bp, err := plotter.NewBarChart(pixel, w)
	if err != nil {
		return err
	}
	bp.Color, bp.Offset = color.RGBA{0xff, 0x7f, 0x0e, 255}, w/2
	p.Add(bl, bp)
	p.Legend.Add("latent space", bl)
	p.Legend.Add("pixel space", bp)
	p.Legend.Top, p.Legend.Left = true, true
	chance, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0.5}, {X: float64(len(names)) - 0.5, Y: 0.5}})
	if err != nil {
		return err
	}
	chance.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(chance)
	p.Legend.Add("chance", chance)
	p.NominalX(names...)
	wt, err := p.WriterTo(7*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
