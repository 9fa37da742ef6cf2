package recon

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
)

// Reliability summarises how repeatable the test responses are, over all
// voxels, by the noise-ceiling SNR of the Natural Scenes Dataset
// (decode.NoiseCeilingSNR, each voxel's test-trial betas z-scored first as
// NSD z-scores per session).
type Reliability struct {
	Voxels  int `json:"voxels"`
	Stimuli int `json:"repeated_stimuli"`
	Trials  int `json:"trials"`
	// Repeats is the mean number of trials per repeated stimulus.
	Repeats float64 `json:"repeats"`
	// NCSNR holds the quartiles of the voxels' ncsnr (25%, median, 75%).
	NCSNR [3]float64 `json:"ncsnr_quartiles"`
	// NoiseCeiling holds the quartiles of the voxels' noise ceilings, in
	// percent of variance, for the test responses as decoded (averaged
	// over Repeats trials) and for single trials.
	NoiseCeiling       [3]float64 `json:"noise_ceiling_quartiles"`
	NoiseCeilingSingle [3]float64 `json:"noise_ceiling_single_trial_quartiles"`

	perVoxel []float64
}

// reliabilityOf computes the summary, or nil when the data have no
// repeated test stimuli.
func reliabilityOf(d *Data) (*Reliability, error) {
	if d.TestTrials == nil || d.TestTrialStimuli == nil {
		return nil, nil
	}
	count := map[string]int{}
	for _, s := range d.TestTrialStimuli {
		count[s]++
	}
	repeated := 0
	for _, c := range count {
		if c > 1 {
			repeated++
		}
	}
	if repeated < 2 {
		return nil, nil
	}
	n, v := d.TestTrials.Dims()
	z := mat.NewDense(n, v, nil)
	mean, sd := columnStats(d.TestTrials)
	for i := range n {
		for j, x := range d.TestTrials.RawRowView(i) {
			if sd[j] > 0 {
				z.Set(i, j, (x-mean[j])/sd[j])
			}
		}
	}
	r, err := decode.NoiseCeilingSNR(z, d.TestTrialStimuli)
	if err != nil {
		return nil, err
	}
	s := &Reliability{Voxels: v, Stimuli: r.Stimuli, Trials: r.Trials, Repeats: float64(r.Trials) / float64(r.Stimuli), perVoxel: r.NCSNR}
	s.NCSNR = quartiles(r.NCSNR)
	s.NoiseCeiling = quartiles(r.NoiseCeiling(int(math.Round(s.Repeats))))
	s.NoiseCeilingSingle = quartiles(r.NoiseCeiling(1))
	return s, nil
}

// quartiles are the 25th, 50th and 75th percentiles (linear
// interpolation, as numpy's default).
func quartiles(x []float64) [3]float64 {
	v := slices.Clone(x)
	slices.Sort(v)
	q := func(p float64) float64 {
		h := p * float64(len(v)-1)
		lo := int(math.Floor(h))
		if lo >= len(v)-1 {
			return v[len(v)-1]
		}
		return v[lo] + (h-float64(lo))*(v[lo+1]-v[lo])
	}
	return [3]float64{q(0.25), q(0.5), q(0.75)}
}

// NSDMedianNCSNR are the median single-trial ncsnr of the Natural Scenes
// Dataset's eight subjects (Allen et al. 2022) in the nsdgeneral visual
// mask, volumetric 1.8 mm betas_fithrf_GLMdenoise_RR, as computed from
// NSD's released ncsnr files in brain-score/vision
// (data/allen2022_fmri/data_packaging/notebooks/volumetric/
// 01_nsd_data_exploration.ipynb). The same notebook gives V1 0.45, V2 0.39
// and hV4 0.35 (means over subjects); NSD's authors give 0.32 to 0.54 on
// the cortical surface (cvnlab/nsddatapaper,
// mainfigures/MAPOFSIGNAL/MAPOFSIGNALnotes.m). reliability.png draws them
// beside the data's own distribution.
var NSDMedianNCSNR = []float64{0.361, 0.361, 0.324, 0.296, 0.415, 0.343, 0.281, 0.226}

// plot draws the histogram of the voxels' ncsnr, its median, and NSD's
// subjects' medians for comparison.
func (r *Reliability) plot(path string) error {
	p := plot.New()
	p.Title.Text = "Reliability of the test responses (noise-ceiling SNR, Allen et al. 2022)"
	p.X.Label.Text = "ncsnr (signal SD / noise SD, single trials)"
	p.Y.Label.Text = "voxels"
	vals := make(plotter.Values, 0, len(r.perVoxel))
	for _, x := range r.perVoxel {
		if !math.IsInf(x, 0) {
			vals = append(vals, x)
		}
	}
	h, err := plotter.NewHist(vals, 40)
	if err != nil {
		return err
	}
	p.Add(h)
	// Reference lines over the whole height of the histogram.
	var top float64
	for _, b := range h.Bins {
		top = max(top, b.Weight)
	}
	for i, m := range NSDMedianNCSNR {
		l, err := plotter.NewLine(plotter.XYs{{X: m, Y: 0}, {X: m, Y: top}})
		if err != nil {
			return err
		}
		l.Color = color.RGBA{0x7f, 0x7f, 0x7f, 0xff}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(l)
		if i == 0 {
			p.Legend.Add("NSD subjects' medians (nsdgeneral, 1.8 mm)", l)
		}
	}
	med, err := plotter.NewLine(plotter.XYs{{X: r.NCSNR[1], Y: 0}, {X: r.NCSNR[1], Y: top}})
	if err != nil {
		return err
	}
	med.Color, med.Width = color.RGBA{0xd6, 0x27, 0x28, 0xff}, vg.Points(2)
	p.Add(med)
	p.Legend.Add(fmt.Sprintf("median here: %.2f", r.NCSNR[1]), med)
	p.Legend.Top = true
	p.Y.Max = 1.3 * top // room for the legend above the lines
	p.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ticks := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ticks { // voxel counts are whole numbers
			if ticks[i].Label != "" {
				ticks[i].Label = fmt.Sprintf("%.0f", ticks[i].Value)
			}
		}
		return ticks
	})
	wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
