package recon

import (
	"errors"
	"fmt"
	"math"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/onnx"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// ONNX adapts a pretrained encoder and generator given as ONNX models
// (torch.onnx.export, tf2onnx...): the encoder maps images [N,C,H,W] to
// codes [N,D] (a VAE's mean, as for VAEGAN), the generator maps codes back
// to images. Make it with NewONNX, which checks that the two fit together.
//
// The pipeline's images are in [0, 1]; models trained on [-1, 1] (tanh
// generators) are given Range {-1, 1}: images are mapped into Range before
// encoding, and generated images back to [0, 1], clipped.
type ONNX struct {
	encoder, generator *onnx.Model
	eng                nn.Engine
	lo, hi             float32
	c, h, w, d         int
	encBatch, genBatch int // > 0: the graph's batch axis is fixed at this size
}

// onnxBatch is the batch size for models with a dynamic batch axis: large
// enough to amortise building the graph, small enough for a modest host.
const onnxBatch = 50

// NewONNX checks an encoder and a generator against each other and returns
// the adapter. Each model must have one input and one output: the
// encoder's input [N,C,H,W] with C, H and W fixed, its output [N,D]; the
// generator's input [N,D], its output [N,C,H,W] of the same C, H, W. N may
// be dynamic or fixed (a model exported at a fixed batch size runs in
// batches of that size, the last one padded). pixelRange is the models'
// image range ({0, 1} or {-1, 1}, say; {0, 0} means {0, 1}). eng runs
// both (nil: the graph backend on the CPU).
func NewONNX(encoder, generator *onnx.Model, pixelRange [2]float64, eng nn.Engine) (*ONNX, error) {
	if encoder == nil || generator == nil {
		return nil, errors.New("recon: ONNX needs both an encoder and a generator")
	}
	if pixelRange == [2]float64{} {
		pixelRange = [2]float64{0, 1}
	}
	lo, hi := pixelRange[0], pixelRange[1]
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("recon: ONNX pixel range [%g, %g]: want lo < hi, both finite", lo, hi)
	}
	if eng == nil {
		eng = graph.NewEngine()
	}
	m := &ONNX{encoder: encoder, generator: generator, eng: eng, lo: float32(lo), hi: float32(hi)}
	in, err := onlyInput("encoder", encoder, 4)
	if err != nil {
		return nil, err
	}
	for _, v := range in.Dims[1:] {
		if v <= 0 {
			return nil, fmt.Errorf("recon: the ONNX encoder's input %q has dims %v: channels, height and width must be fixed", in.Name, in.Dims)
		}
	}
	m.c, m.h, m.w = int(in.Dims[1]), int(in.Dims[2]), int(in.Dims[3])
	m.encBatch = max(int(in.Dims[0]), 0)
	zin, err := onlyInput("generator", generator, 2)
	if err != nil {
		return nil, err
	}
	m.genBatch = max(int(zin.Dims[0]), 0)
	// The output shapes are found by running each model once on zeros:
	// exporters often leave them symbolic, and a run also proves that the
	// graph executes before any data is read.
	z, err := m.runBatch("encoder", m.encoder, nt.New32(make([]float32, max(m.encBatch, 1)*m.c*m.h*m.w), max(m.encBatch, 1), m.c, m.h, m.w))
	if err != nil {
		return nil, err
	}
	if s := z.Shape(); len(s) != 2 || s[1] < 1 {
		return nil, fmt.Errorf("recon: the ONNX encoder returns shape %v; want [N, latent]", s)
	}
	m.d = z.Shape()[1]
	if zin.Dims[1] > 0 && int(zin.Dims[1]) != m.d {
		return nil, fmt.Errorf("recon: the ONNX encoder gives %d-d codes; the generator takes %d", m.d, zin.Dims[1])
	}
	img, err := m.runBatch("generator", m.generator, nt.New32(make([]float32, max(m.genBatch, 1)*m.d), max(m.genBatch, 1), m.d))
	if err != nil {
		return nil, err
	}
	if s := img.Shape(); len(s) != 4 || s[1] != m.c || s[2] != m.h || s[3] != m.w {
		return nil, fmt.Errorf("recon: the ONNX generator returns images of shape %v; the encoder takes [N,%d,%d,%d]", s, m.c, m.h, m.w)
	}
	return m, nil
}

// onlyInput returns a model's single input, checking its rank and type.
func onlyInput(part string, m *onnx.Model, rank int) (onnx.ValueInfo, error) {
	if host := m.HostInputs(); len(host) > 0 {
		return onnx.ValueInfo{}, fmt.Errorf("recon: the ONNX %s reads inputs %v as constants (shapes, scales); export it with them as initializers", part, host)
	}
	ins := m.Inputs()
	if len(ins) != 1 || len(m.Graph.Outputs) != 1 {
		return onnx.ValueInfo{}, fmt.Errorf("recon: the ONNX %s has %d inputs and %d outputs; want one of each", part, len(ins), len(m.Graph.Outputs))
	}
	in := ins[0]
	if !in.HasShape || len(in.Dims) != rank {
		return onnx.ValueInfo{}, fmt.Errorf("recon: the ONNX %s's input %q has dims %v; want rank %d", part, in.Name, in.Dims, rank)
	}
	if in.ElemType != 0 && !in.ElemType.IsFloat() {
		return onnx.ValueInfo{}, fmt.Errorf("recon: the ONNX %s's input %q is %v; want float", part, in.Name, in.ElemType)
	}
	return in, nil
}

// Name is "onnx".
func (m *ONNX) Name() string { return "onnx" }

// ImageShape is the encoder's input shape.
func (m *ONNX) ImageShape() (int, int, int) { return m.c, m.h, m.w }

// LatentDim is the size of the encoder's codes.
func (m *ONNX) LatentDim() int { return m.d }

// Latents maps images in [0, 1] into the model's range and encodes them.
func (m *ONNX) Latents(images *nt.Dense) (*nt.Dense, error) {
	if err := checkImages(m, "encoder's", images); err != nil {
		return nil, err
	}
	x := nt.Clone(images)
	scale := m.hi - m.lo
	for i, v := range nt.Data32(x) {
		nt.Data32(x)[i] = m.lo + scale*v
	}
	return m.run("encoder", m.encoder, m.encBatch, x)
}

// Generate decodes codes and maps the images back to [0, 1].
func (m *ONNX) Generate(z *nt.Dense) (*nt.Dense, error) {
	if s := z.Shape(); len(s) != 2 || s[1] != m.d {
		return nil, fmt.Errorf("recon: codes of shape %v; the ONNX generator takes [N,%d]", s, m.d)
	}
	img, err := m.run("generator", m.generator, m.genBatch, z)
	if err != nil {
		return nil, err
	}
	scale := m.hi - m.lo
	for i, v := range nt.Data32(img) {
		if math.IsNaN(float64(v)) {
			return nil, fmt.Errorf("recon: the ONNX generator returned NaN (image %d)", i/(m.c*m.h*m.w))
		}
		nt.Data32(img)[i] = min(max((v-m.lo)/scale, 0), 1) // the pipeline's pictures and metrics take [0, 1]
	}
	return img, nil
}

// run applies a model to x in batches: of the graph's fixed size, the last
// padded with copies of its first row and trimmed after, or of onnxBatch.
func (m *ONNX) run(part string, model *onnx.Model, fixed int, x *nt.Dense) (*nt.Dense, error) {
	if fixed == 0 {
		return batched(x, onnxBatch, func(b *nt.Dense) (*nt.Dense, error) { return m.runBatch(part, model, b) })
	}
	return batched(x, fixed, func(b *nt.Dense) (*nt.Dense, error) {
		s := b.Shape()
		n, row := s[0], s.TotalSize()/s[0]
		if n == fixed {
			return m.runBatch(part, model, b)
		}
		src := nt.Data32(b)
		pad := make([]float32, fixed*row)
		copy(pad, src)
		for i := n; i < fixed; i++ {
			copy(pad[i*row:], src[:row])
		}
		out, err := m.runBatch(part, model, nt.New32(pad, append([]int{fixed}, s[1:]...)...))
		if err != nil {
			return nil, err
		}
		so := out.Shape()
		orow := so.TotalSize() / so[0]
		return nt.New32(nt.Data32(out)[:n*orow], append([]int{n}, so[1:]...)...), nil
	})
}

// runBatch runs a model once, naming the part in errors.
func (m *ONNX) runBatch(part string, model *onnx.Model, x *nt.Dense) (*nt.Dense, error) {
	outs, err := m.eng.Run(model.Func(), x)
	if err != nil {
		return nil, fmt.Errorf("recon: the ONNX %s: %w", part, err)
	}
	if len(outs) != 1 || outs[0] == nil || len(outs[0].Shape()) == 0 || outs[0].Shape()[0] != x.Shape()[0] {
		return nil, fmt.Errorf("recon: the ONNX %s returned no batch of %d rows", part, x.Shape()[0])
	}
	return nt.ToFloat32(outs[0]) // a float64 engine's outputs are converted
}
