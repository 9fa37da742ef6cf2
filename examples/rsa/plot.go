package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/rsa"
)

var groupColors = map[string]color.RGBA{
	groupTrained: {0x1f, 0x77, 0xb4, 255},
	groupRandom:  {0xaa, 0xaa, 0xaa, 255},
	groupPixels:  {0xff, 0x7f, 0x0e, 255},
	groupRef:     {0x2c, 0xa0, 0x2c, 255},
}

// plotResult draws the field's bar chart: one panel per reference (human
// IT with its noise-ceiling band, monkey IT), the models sorted by their
// human-IT score, 95% bootstrap intervals as error bars and an asterisk
// over each model with p < 0.05.
func plotResult(path string, r *report) error {
	order := make([]string, len(r.HumanIT.Models))
	for i, s := range r.HumanIT.Models {
		order[i] = s.Name
	}
	score := func(e *rsa.Evaluation, name string) (rsa.Score, bool) {
		s, err := e.Score(name)
		return s, err == nil
	}
	slices.SortStableFunc(order, func(a, b string) int {
		sa, _ := score(r.HumanIT, a)
		sb, _ := score(r.HumanIT, b)
		switch {
		case sa.Value > sb.Value:
			return -1
		case sa.Value < sb.Value:
			return 1
		}
		return 0
	})
	// Both panels share the y range.
	lo, hi := 0.0, 0.0
	for _, e := range []*rsa.Evaluation{r.HumanIT, r.MonkeyIT} {
		for _, s := range e.Models {
			lo, hi = math.Min(lo, s.CI[0]), math.Max(hi, s.CI[1])
		}
		if e.Ceiling != nil {
			hi = math.Max(hi, e.Ceiling.Upper.Value)
		}
	}
	lo, hi = math.Floor(lo*10)/10, math.Ceil(hi*10)/10+0.25 // room for the legend
	var plots []*plot.Plot
	for _, e := range []*rsa.Evaluation{r.HumanIT, r.MonkeyIT} {
		title := fmt.Sprintf("human IT (%d subjects)", len(e.References))
		if e == r.MonkeyIT {
			title = "monkey IT"
		}
		p, err := panel(r, e, order, title, lo, hi)
		if err != nil {
			return err
		}
		plots = append(plots, p)
	}
	width, height := vg.Length(5+0.45*float64(len(order)))*vg.Inch*2, 6*vg.Inch
	img := vgimg.New(width, height)
	dc := draw.New(img)
	head := plot.New()
	head.Title.Text = fmt.Sprintf("Kriegeskorte et al. 2008, %d images: %s correlation of RDMs (%s distance); bars 95%% bootstrap CI over stimuli; * p < 0.05 uncorrected (stimulus-label permutation)",
		r.Stimuli, r.Method, r.Distance)
	head.HideAxes()
	head.Draw(dc) // the title, at the top
	top := draw.Crop(dc, 0, 0, 0, -0.45*vg.Inch)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 4, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8, PadBottom: vg.Inch / 8}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, top)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

func panel(r *report, e *rsa.Evaluation, order []string, title string, lo, hi float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = r.Method
	p.Y.Min, p.Y.Max = lo, hi
	var names []string
	for _, name := range order {
		if _, err := e.Score(name); err == nil {
			names = append(names, name)
		}
	}
	xmax := float64(len(names)) - 0.5
	if c := e.Ceiling; c != nil {
		band, err := plotter.NewPolygon(plotter.XYs{{X: -0.5, Y: c.Lower.Value}, {X: xmax, Y: c.Lower.Value}, {X: xmax, Y: c.Upper.Value}, {X: -0.5, Y: c.Upper.Value}})
		if err != nil {
			return nil, err
		}
		band.Color = color.RGBA{0xd0, 0xd0, 0xd0, 255}
		band.LineStyle.Width = 0
		p.Add(band)
		p.Legend.Add(fmt.Sprintf("noise ceiling [%.2f, %.2f]", c.Lower.Value, c.Upper.Value), band)
	}
	zero, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0}, {X: xmax, Y: 0}})
	if err != nil {
		return nil, err
	}
	zero.Color = color.Black
	p.Add(zero)
	var bars errorBars
	var stars plotter.XYLabels
	seen := map[string]bool{}
	for i, name := range names {
		s, _ := e.Score(name)
		g := groupOf(r, name)
		vals := make(plotter.Values, len(names))
		vals[i] = s.Value
		b, err := plotter.NewBarChart(vals, vg.Points(18))
		if err != nil {
			return nil, err
		}
		b.Color = groupColors[g]
		b.LineStyle.Width = 0
		p.Add(b)
		if !seen[g] {
			p.Legend.Add(g, b)
			seen[g] = true
		}
		bars = append(bars, errorBar{x: float64(i), y: s.Value, lo: s.Value - s.CI[0], hi: s.CI[1] - s.Value})
		if s.P < 0.05 {
			stars.XYs = append(stars.XYs, plotter.XY{X: float64(i), Y: s.CI[1] + 0.01})
			stars.Labels = append(stars.Labels, "*")
		}
	}
	eb, err := plotter.NewYErrorBars(bars)
	if err != nil {
		return nil, err
	}
	eb.LineStyle.Width = vg.Points(1)
	p.Add(eb)
	if len(stars.XYs) > 0 {
		l, err := plotter.NewLabels(stars)
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = draw.XCenter
		}
		p.Add(l)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Legend.Top = true
	p.Legend.Left = false
	return p, nil
}

// errorBar is a value with the distances to its interval's ends.
type errorBar struct{ x, y, lo, hi float64 }

type errorBars []errorBar

func (e errorBars) Len() int                        { return len(e) }
func (e errorBars) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e errorBars) YError(i int) (float64, float64) { return e[i].lo, e[i].hi }
