package vae

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// tfVariable mirrors variables() in scripts/golden/vaegan_tf.py.
type tfVariable struct {
	name  string
	shape []int
	kind  string
	fanIn int
}

func publishedVariables() []tfVariable {
	var v []tfVariable
	bn := func(scope string, ch int) {
		v = append(v, tfVariable{scope + "/gamma", []int{ch}, "gamma", 0}, tfVariable{scope + "/beta", []int{ch}, "beta", 0},
			tfVariable{scope + "/" + scope + "/moments/Squeeze/ExponentialMovingAverage", []int{ch}, "mean", 0},
			tfVariable{scope + "/" + scope + "/moments/Squeeze_1/ExponentialMovingAverage", []int{ch}, "var", 0})
	}
	enc, dec := []int{192, 256, 384, 512, 768}, []int{512, 384, 256, 192, 3}
	cin := 3
	for i, c := range enc {
		s := fmt.Sprintf("encoder/layer%d", i+1)
		v = append(v, tfVariable{s + "/conv2d/W", []int{3, 3, cin, c}, "W", 9 * cin}, tfVariable{s + "/conv2d/b", []int{c}, "b", 0})
		bn(s+"/bn", c)
		cin = c
	}
	for _, l := range []struct {
		name    string
		in, out int
	}{{"encoder/fc", 4 * 4 * 768, 1024}, {"encoder/variational/mu", 1024, 1024}, {"encoder/variational/log_sigma", 1024, 1024}, {"generator/fc", 1024, 16 * 1024}} {
		v = append(v, tfVariable{l.name + "/W", []int{l.in, l.out}, "W", l.in}, tfVariable{l.name + "/b", []int{l.out}, "b", 0})
	}
	cin = 1024
	for i, c := range dec {
		s := fmt.Sprintf("generator/layer%d", i+1)
		v = append(v, tfVariable{s + "/deconv2d/W", []int{3, 3, c, cin}, "W", 9 * cin}, tfVariable{s + "/deconv2d/b", []int{c}, "b", 0})
		bn(s+"/bn", c)
		cin = c
	}
	return v
}

func formula(v tfVariable, p int) *nt.Dense {
	n := nt.Numel(v.shape)
	d := make([]float32, n)
	for i := range d {
		s := math.Sin(0.7548776662*float64(i) + float64(p))
		var x float64
		switch v.kind {
		case "W":
			x = math.Sqrt(3/float64(v.fanIn)) * s
		case "b":
			x = 0.01 * s
		case "gamma":
			x = 1 + 0.1*s
		case "beta", "mean":
			x = 0.05 * s
		default:
			x = 1 + 0.2*s
		}
		d[i] = float32(x)
	}
	return nt.New32(d, v.shape...)
}

func compare(t *testing.T, name string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	var scale, worst float64
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	for i := range got {
		worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
	}
	t.Logf("%s: max |error| %.3g, relative to max |value| %.3g: %.3g", name, worst, scale, worst/scale)
	if worst > tol*scale {
		t.Errorf("%s: error %.3g relative, want < %g", name, worst/scale, tol)
	}
}

// The published 128 px encoder and generator, imported from TensorFlow
// names and layouts, match a PyTorch reproduction of the TensorFlow graph.
func TestPublishedMatchesTensorFlowSemantics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the 46M-parameter published model")
	}
	golden, err := nt.LoadNPZ("../testdata/vae/published_golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	sd := nt.NewStateDict()
	for p, v := range publishedVariables() {
		sd.Set(v.name, formula(v, p))
	}
	m, err := ImportTF(sd, Published())
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 2*3*128*128)
	for i := range x {
		n := i / (3 * 128 * 128)
		x[i] = float32(0.5 + 0.5*math.Sin(0.013*float64(i)+float64(n)))
	}
	mu, sigma, err := m.Encode(nt.New32(x, 2, 3, 128, 128))
	if err != nil {
		t.Fatal(err)
	}
	get := func(k string) []float32 {
		v, ok := golden.Get(k)
		if !ok {
			t.Fatalf("golden file lacks %s", k)
		}
		f, _ := nt.ToFloat32(v)
		return nt.Data32(f)
	}
	compare(t, "mu", nt.Data32(mu), get("mu"), 1e-4)
	ls := make([]float32, len(nt.Data32(sigma)))
	for i, s := range nt.Data32(sigma) {
		ls[i] = float32(math.Log(float64(s)))
	}
	compare(t, "log_sigma", ls, get("log_sigma"), 1e-4)

	z := make([]float32, 2*1024)
	for i := range z {
		z[i] = float32(0.5 * math.Sin(0.37*float64(i%1024)+float64(i/1024)))
	}
	raw, err := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{m.Generator.Forward(b, in[0])}
	}).Run(nt.New32(z, 2, 1024))
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "generator", nt.Data32(raw[0]), get("gen_raw"), 1e-4)
	dec, err := m.Decode(nt.New32(z, 2, 1024))
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "decoded", nt.Data32(dec), get("decoded"), 1e-4)
}

// A TensorFlow checkpoint that does not fit gets one error naming every
// missing and unexpected variable.
func TestImportTFErrors(t *testing.T) {
	c := Small32()
	c.Output = OutputELU
	sd := nt.NewStateDict()
	sd.Set("encoder/layer1/conv2d/W", nt.New32(make([]float32, 9*64), 3, 3, 1, 64))
	sd.Set("encoder/layer9/conv2d/W", nt.New32(make([]float32, 1), 1))
	_, err := ImportTF(sd, c)
	if err == nil {
		t.Fatal("incomplete checkpoint accepted")
	}
	for _, want := range []string{"missing encoder/layer1/conv2d/b", "missing generator/fc/W", "unexpected encoder/layer9/conv2d/W", "encoder/layer1/bn/*moments/Squeeze/ExponentialMovingAverage"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
