package recon

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// ReportHTML is the self-contained report WriteHTML writes.
const ReportHTML = "report.html"

// HTMLOptions are what the report shows beyond the Result.
type HTMLOptions struct {
	// Settings are shown first, in order (the command line, the data...).
	Settings [][2]string
	// R2Map is a 3D NIfTI map of encoding R^2 (WriteDerivative's) whose
	// axial slices are shown; empty: none.
	R2Map string
	// Cols is the number of test stimuli in the reconstruction grid.
	Cols int
}

// WriteHTML writes dir/report.html: one file, images embedded as data
// URIs, readable offline and mailable. It shows the settings, every
// decoder's scores with 95% intervals and p-values, the reconstruction
// grid with its rows named, the identification plot (Write's
// identification.png in dir, so call Write first) and axial slices of the
// encoding R^2 map.
func (r *Result) WriteHTML(dir string, opt HTMLOptions) error {
	if r == nil || r.Stimuli == nil {
		return fmt.Errorf("recon: no result to report")
	}
	cols := min(max(opt.Cols, 1), r.Stimuli.Shape()[0])
	page := htmlPage{Title: fmt.Sprintf("neurolatent: %s decoded into %s", r.Source, r.Model), Date: time.Now().UTC().Format("2006-01-02 15:04 UTC")}
	page.Settings = append(page.Settings, opt.Settings...)
	snr := "real data"
	if r.SNR > 0 {
		snr = fmt.Sprintf("%g", r.SNR)
	}
	page.Settings = append(page.Settings,
		[2]string{"data", r.Source}, [2]string{"simulated SNR", snr},
		[2]string{"model", fmt.Sprintf("%s (%d latent dimensions)", r.Model, r.LatentDim)},
		[2]string{"headline decoder", string(r.Method)}, [2]string{"rescaling", r.Rescale},
		[2]string{"stimuli", fmt.Sprintf("%d training, %d test", r.TrainStimuli, r.TestStimuli)},
		[2]string{"voxels", fmt.Sprint(r.Voxels)},
		[2]string{"statistics", fmt.Sprintf("%d bootstrap resamples, %d permutations", r.Stats.Resamples, r.Stats.Permutations)},
		[2]string{"run time", fmt.Sprintf("%.0f s", r.Seconds)})
	page.Notes = r.Notes

	// The table: a column per metric any decoder has.
	var metrics []string
	for _, s := range r.All {
		for _, m := range s.names {
			if !contains(metrics, m) {
				metrics = append(metrics, m)
			}
		}
	}
	for _, m := range metrics {
		page.Metrics = append(page.Metrics, htmlMetric{Label: strings.ReplaceAll(m, "_", " ")})
	}
	for _, s := range r.All {
		row := htmlRow{Name: s.Name(), Voxels: s.Voxels}
		for _, m := range metrics {
			e, ok := s.Metrics[m]
			if !ok {
				row.Cells = append(row.Cells, htmlCell{})
				continue
			}
			p := fmt.Sprintf("p = %.3f", e.P)
			if e.P < 0.001 {
				p = "p < 0.001"
			}
			row.Cells = append(row.Cells, htmlCell{OK: true, Value: fmt.Sprintf("%.3f", e.Value), CI: fmt.Sprintf("[%.2f, %.2f]", e.CI[0], e.CI[1]), P: p})
		}
		page.Rows = append(page.Rows, row)
	}

	// The reconstruction grid, a named row per source.
	for _, g := range []struct {
		name string
		t    *nt.Dense
	}{{"seen", r.Stimuli}, {r.Model + " (" + string(r.Method) + ")", r.Reconstructions}, {"PCA (" + string(r.Method) + ")", r.BaselineReconstructions}, {"pixel ridge", r.PixelReconstructions}} {
		if g.t == nil {
			continue
		}
		uri, err := rowPNG(g.t, cols)
		if err != nil {
			return err
		}
		page.Grid = append(page.Grid, htmlImage{Name: g.name, URI: uri})
	}
	if b, err := os.ReadFile(filepath.Join(dir, IdentificationPNG)); err == nil {
		page.Identification = dataURI(b)
	} else {
		return fmt.Errorf("recon: the report embeds %s: write it first (Result.Write): %w", IdentificationPNG, err)
	}
	if opt.R2Map != "" {
		uri, caption, err := sliceMontage(opt.R2Map)
		if err != nil {
			return err
		}
		page.R2, page.R2Caption = uri, caption
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, page); err != nil {
		return fmt.Errorf("recon: report: %w", err)
	}
	return atomicfile.WriteBytes(filepath.Join(dir, ReportHTML), b.Bytes())
}

type htmlPage struct {
	Title, Date    string
	Settings       [][2]string
	Notes          []string
	Metrics        []htmlMetric
	Rows           []htmlRow
	Grid           []htmlImage
	Identification template.URL
	R2             template.URL
	R2Caption      string
}

type htmlMetric struct{ Label string }

type htmlRow struct {
	Name   string
	Voxels int
	Cells  []htmlCell
}

type htmlCell struct {
	OK           bool
	Value, CI, P string
}

type htmlImage struct {
	Name string
	URI  template.URL
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// dataURI embeds a PNG. template.URL marks it safe: html/template would
// otherwise replace a data: URL in src with "#ZgotmplZ".
func dataURI(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

// rowPNG draws the first cols images of t side by side, enlarged so small
// images stay readable.
func rowPNG(t *nt.Dense, cols int) (template.URL, error) {
	imgs, err := nt.ToImages(t, false)
	if err != nil {
		return "", err
	}
	b := imgs[0].Bounds()
	f := max(1, 64/max(b.Dy(), 1))
	w, h, pad := b.Dx()*f, b.Dy()*f, 2
	out := image.NewRGBA(image.Rect(0, 0, cols*(w+pad), h))
	for i := range cols {
		for y := range h {
			for x := range w {
				out.Set(i*(w+pad)+x, y, imgs[i].At(b.Min.X+x/f, b.Min.Y+y/f))
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return "", err
	}
	return dataURI(buf.Bytes()), nil
}

// sliceMontage draws every axial slice of a 3D map side by side, values
// from 0 (black) to the map's largest (white; negative R^2 is shown as 0),
// and says so in its caption.
func sliceMontage(path string) (template.URL, string, error) {
	im, err := nifti.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	s := im.Header.Shape()
	if len(s) < 3 {
		return "", "", fmt.Errorf("recon: %s: want a 3D map", path)
	}
	nx, ny, nz := s[0], s[1], s[2]
	hi := 0.0
	for _, v := range im.Volume(0) {
		if !math.IsNaN(v) {
			hi = max(hi, v)
		}
	}
	f := max(1, 96/max(nx, ny))
	per := min(nz, 10)
	rows := (nz + per - 1) / per
	w, h, pad := nx*f, ny*f, 4
	out := image.NewGray(image.Rect(0, 0, per*(w+pad), rows*(h+pad)))
	for z := range nz {
		ox, oy := (z%per)*(w+pad), (z/per)*(h+pad)
		for y := range h {
			for x := range w {
				v := im.At(x/f, ny-1-y/f, z, 0) // anterior up
				g := 0.0
				if hi > 0 && v > 0 {
					g = min(v/hi, 1)
				}
				out.SetGray(ox+x, oy+y, color.Gray{Y: uint8(255 * g)})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return "", "", err
	}
	caption := fmt.Sprintf("%d axial slices of %s, inferior to superior, left to right; black: R² ≤ 0, white: %.3f (the largest)", nz, filepath.Base(path), hi)
	return dataURI(buf.Bytes()), caption, nil
}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:sans-serif;max-width:1400px;margin:2em auto;color:#222}
.scores{font-size:85%}
table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.num{text-align:right;white-space:nowrap}
.ci{color:#555;font-size:90%}.p{color:#777;font-size:80%}
img{image-rendering:pixelated}
.grid th{width:11em}
caption{caption-side:bottom;color:#555;font-size:90%;text-align:left}
</style></head><body>
<h1>{{.Title}}</h1>
<p>Written {{.Date}} by neurolatent's reconstruct.</p>
<h2>Settings</h2>
<table>{{range .Settings}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
{{if .Notes}}<h3>Notes</h3><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Scores</h2>
<table class="scores"><caption>Each cell: the score, its 95% bootstrap interval over the test stimuli, and its permutation p-value. Chance: pairwise 0.5, top-1 1/(test stimuli).</caption>
<tr><th>decoder</th><th>voxels</th>{{range .Metrics}}<th>{{.Label}}</th>{{end}}</tr>
{{range .Rows}}<tr><th>{{.Name}}</th><td class="num">{{.Voxels}}</td>{{range .Cells}}<td class="num">{{if .OK}}{{.Value}} <span class="ci">{{.CI}}</span><br><span class="p">{{.P}}</span>{{else}}&ndash;{{end}}</td>{{end}}</tr>
{{end}}</table>
<h2>Reconstructions</h2>
<table class="grid"><caption>The first test stimuli (top row) and their reconstructions, column by column.</caption>
{{range .Grid}}<tr><th>{{.Name}}</th><td><img src="{{.URI}}" alt="{{.Name}}"></td></tr>{{end}}
</table>
<h2>Identification</h2>
<p><img src="{{.Identification}}" alt="identification accuracy with 95% intervals" style="max-width:100%"></p>
{{if .R2}}<h2>Encoding R² map</h2>
<figure><img src="{{.R2}}" alt="encoding R squared, axial slices" style="max-width:100%"><figcaption>{{.R2Caption}}</figcaption></figure>{{end}}
</body></html>
`))
