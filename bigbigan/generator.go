package bigbigan

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	"github.com/neurolatent/neurolatent/nn/graph"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Embedding is a lookup table (PyTorch's nn.Embedding): shared.weight. Safe
// for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type Embedding struct {
	Weight *nn.Param `nn:"weight"`
}

// stage is one entry of BigGAN-PyTorch's blocks list: a GBlock (key "0")
// and, at the attention resolution, a self-attention block (key "1"). Safe
// for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type stage struct {
	Block *nn.GBlock        `nn:"0"`
	Attn  *nn.SelfAttention `nn:"1"`
}

// outputLayer is BigGAN-PyTorch's output_layer Sequential: batch norm with
// stored statistics and a learned gain and bias (key "0"), ReLU (1, no
// parameters), a 3x3 SN convolution to the image channels (2). Safe for
// concurrent inference (forward passes only read its parameters); training,
// loading weights and folding write them and must not overlap any other use.
type outputLayer struct {
	BN   *nn.StoredBatchNorm `nn:"0"`
	Conv *nn.SNConv2d        `nn:"2"`
}

// Generator is BigGAN's generator in BigGAN-PyTorch's layout, with its
// state-dict keys: shared.weight, linear.*, blocks.i.0.* (GBlocks),
// blocks.i.1.* (attention), output_layer.0.* and output_layer.2.*.
//
// A generator from LoadGenerator or FromStateDict is for inference: its
// spectrally normalised weights are divided by their singular value once,
// in place, at load (Folded). One from NewGenerator has raw weights that
// are normalised on every forward pass and trains.
//
// Generate, Sample, Interpolate and Release may be called from several
// goroutines at once: runs take an internal lock, one at a time. Set Class,
// MaxBatch and LowMemory before sharing a generator; Forward on a caller's
// backend, training and loading are not safe concurrently with other use.
type Generator struct {
	Shared *Embedding   `nn:"shared"`
	Linear *nn.SNLinear `nn:"linear"`
	Blocks []*stage     `nn:"blocks"`
	Output *outputLayer `nn:"output_layer"`
	// Class is the row of the shared embedding that conditions every
	// block (BigBiGAN is unconditional and uses class 0).
	Class int `nn:"-"`
	// MaxBatch caps the batch of one inference run; Generate splits
	// larger requests. 0 chooses it so that one run's activations and
	// convolution scratch stay within about 256 MB (1 at full width).
	MaxBatch int `nn:"-"`
	// LowMemory runs inference stage by stage, releasing the buffers of
	// earlier stages before a large one (see runStaged): at full width and
	// batch 1 the process then needs about twice the weights' size instead
	// of about 3.5 times, for about 40% more time (still several times
	// faster than PyTorch; bench/bigbigan/RESULTS.md). FromStateDict sets
	// it for generators of 64 MiB of weights or more.
	LowMemory bool `nn:"-"`

	cfg    Config
	folded bool

	mu       sync.Mutex
	prog     *graph.Program
	progSize int
}

// NewGenerator builds a generator with fresh weights (Glorot-normal
// weights, zero biases, unit batch-norm gains, u0 ~ N(0, 1)).
func NewGenerator(c Config, seed uint64) (*Generator, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	init := nn.NewInit(seed)
	return buildGenerator(c, newBuilder(&init)), nil
}

func buildGenerator(c Config, bd *builder) *Generator {
	g := &Generator{cfg: c}
	g.Shared = &Embedding{Weight: bd.weight(1, c.Classes, c.SharedDim)}
	g.Linear = bd.snLinear(c.ZChunk, c.Bottom*c.Bottom*c.Widths[0], true, c.SNEps)
	cond := c.CondDim()
	ccbn := func(ch int) *nn.CondBatchNorm {
		return &nn.CondBatchNorm{
			Gain: bd.snLinear(cond, ch, false, c.SNEps), Bias: bd.snLinear(cond, ch, false, c.SNEps),
			StoredMean: bd.buffer(0, ch), StoredVar: bd.buffer(1, ch), Eps: c.BNEps, Momentum: 0.1,
		}
	}
	attn := c.attentionAfter()
	if c.Attention == 0 {
		attn = -1
	}
	for i := range c.Blocks() {
		in, out := c.Widths[i], c.Widths[i+1]
		st := &stage{Block: &nn.GBlock{
			BN1: ccbn(in), Conv1: bd.snConv(in, out, 3, true, c.SNEps),
			BN2: ccbn(out), Conv2: bd.snConv(out, out, 3, true, c.SNEps),
			ConvSC: bd.snConv(in, out, 1, true, c.SNEps),
		}}
		if i == attn {
			st.Attn = &nn.SelfAttention{
				Theta: bd.snConv(out, out/8, 1, false, c.SNEps), Phi: bd.snConv(out, out/8, 1, false, c.SNEps),
				G: bd.snConv(out, out/2, 1, false, c.SNEps), O: bd.snConv(out/2, out, 1, false, c.SNEps),
				Gamma: bd.constant(0),
			}
		}
		g.Blocks = append(g.Blocks, st)
	}
	last := c.Widths[len(c.Widths)-1]
	g.Output = &outputLayer{
		BN: &nn.StoredBatchNorm{Gain: bd.constant(1, last), Bias: bd.constant(0, last),
			StoredMean: bd.buffer(0, last), StoredVar: bd.buffer(1, last), Eps: c.OutEps, Momentum: 0.1},
		Conv: bd.snConv(last, c.Channels, 3, true, c.SNEps),
	}
	return g
}

// FromStateDict builds an inference generator from a state dict with
// BigGAN-PyTorch's keys. The configuration comes from the shapes; a state
// dict of another architecture gets one *nn.LoadError listing every
// missing, unexpected and mis-shaped key. The generator takes sd's float32
// tensors without copying them and divides the spectrally normalised
// weights in place, so sd must not be used afterwards. Generators of 64 MiB
// of weights or more (the published one) start with LowMemory set.
func FromStateDict(sd *nt.StateDict) (*Generator, error) {
	c := InferConfig(sd)
	if err := c.Check(); err != nil {
		return nil, err
	}
	bd := newBuilder(nil)
	g := buildGenerator(c, bd)
	if err := bd.check(g, sd); err != nil {
		return nil, fmt.Errorf("not a %s generator: %w", c, err)
	}
	if err := nn.LoadStateDict(g, sd); err != nil {
		return nil, err
	}
	if err := g.fold(); err != nil {
		return nil, err
	}
	g.LowMemory = g.weightBytes() >= lowMemoryWeights
	return g, nil
}

// lowMemoryWeights is the weight size from which FromStateDict turns
// LowMemory on: the published generator (269 MiB) then runs in about
// twice its size; small ones keep the faster cached graph.
const lowMemoryWeights = 64 << 20

func (g *Generator) weightBytes() int {
	n := 0
	for _, np := range nn.Params(g) {
		n += 4 * nt.Numel(np.Param.Shape())
	}
	return n
}

// Config returns the generator's configuration.
func (g *Generator) Config() Config { return g.cfg }

// Folded reports whether the spectrally normalised weights hold W/sigma
// (an inference generator from LoadGenerator or FromStateDict).
func (g *Generator) Folded() bool { return g.folded }

// snLayer is a spectrally normalised weight with its singular-vector state.
type snLayer struct {
	w  *nn.Param
	sn *nn.SpectralNorm
}

func (g *Generator) snLayers() []snLayer {
	var out []snLayer
	lin := func(l *nn.SNLinear) { out = append(out, snLayer{l.Weight, &l.SpectralNorm}) }
	conv := func(c *nn.SNConv2d) { out = append(out, snLayer{c.Weight, &c.SpectralNorm}) }
	lin(g.Linear)
	for _, st := range g.Blocks {
		b := st.Block
		lin(b.BN1.Gain)
		lin(b.BN1.Bias)
		conv(b.Conv1)
		lin(b.BN2.Gain)
		lin(b.BN2.Bias)
		conv(b.Conv2)
		conv(b.ConvSC)
		if a := st.Attn; a != nil {
			conv(a.Theta)
			conv(a.Phi)
			conv(a.G)
			conv(a.O)
		}
	}
	conv(g.Output.Conv)
	return out
}

// fold divides every spectrally normalised weight by its largest singular
// value, estimated as BigGAN-PyTorch does in eval mode: one power step
// from the stored u0 (nn.PowerStep; sv0 is not read and u0 not changed).
// The arithmetic is nn.FoldSpectralNorm's, float32(float64(w)/sigma), but
// done in place: nn.FoldAll keeps a folded copy beside the raw weights,
// which would double the 282 MB of the published model.
func (g *Generator) fold() error {
	layers := g.snLayers()
	errs := make([]error, len(layers))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, l := range layers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = foldInPlace(l.w, l.sn)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	g.folded = true
	return nil
}

func foldInPlace(w *nn.Param, sn *nn.SpectralNorm) error {
	ws := w.Shape()
	if len(ws) < 1 || sn.U0 == nil || sn.U0.Value == nil || nt.Numel(sn.U0.Shape()) != ws[0] {
		return fmt.Errorf("bigbigan: spectral norm: u0 %v does not match weight %v", sn.U0.Shape(), ws)
	}
	u, err := nt.ToFloat32(sn.U0.Value)
	if err != nil {
		return err
	}
	d := nt.Data32(w.Value)
	sigma, _, _ := nn.PowerStep(d, ws[0], len(d)/ws[0], nt.Data32(u), sn.Eps)
	for i, x := range d {
		d[i] = float32(float64(x) / sigma)
	}
	return nil
}

// prefolded runs model code on a generator whose spectrally normalised
// weights already hold W/sigma: spectral norm is then the identity.
type prefolded struct{ nn.Backend }

func (p prefolded) SpectralNorm(w nn.Tensor, _, _ *nn.Param, _ float64, train bool) nn.Tensor {
	if train {
		return p.Fail(errors.New("bigbigan: this generator's weights are folded for inference; it cannot train (build one with NewGenerator)"))
	}
	return w
}

// CheckZ returns a clear error when z is not [N, Latent].
func (g *Generator) CheckZ(shape []int) error {
	c := g.cfg
	if len(shape) != 2 || shape[0] < 1 || shape[1] != c.Latent() {
		how := fmt.Sprintf("%d chunks of %d", len(c.Widths), c.ZChunk)
		if !c.Hierarchical {
			how = "not hierarchical"
		}
		return fmt.Errorf("bigbigan: z of shape %v: this generator takes [N,%d] (%s)", shape, c.Latent(), how)
	}
	return nil
}

// Forward maps z [N, Latent] to images [N, Channels, R, R] in [-1, 1]:
// BigGAN-PyTorch's G.forward(z, shared(class)) with a hierarchical z.
func (g *Generator) Forward(b nn.Backend, z nn.Tensor) nn.Tensor {
	b = g.backend(b)
	if err := g.check(z.Shape()); err != nil {
		return b.Fail(err)
	}
	h := g.head(b, z)
	for i := range g.Blocks {
		h = g.stage(b, i, h, z)
	}
	return g.tail(b, h)
}

// backend wraps b for a folded generator (see prefolded).
func (g *Generator) backend(b nn.Backend) nn.Backend {
	if g.folded {
		if _, ok := b.(prefolded); !ok {
			return prefolded{b}
		}
	}
	return b
}

func (g *Generator) check(zShape []int) error {
	if err := g.CheckZ(zShape); err != nil {
		return err
	}
	if g.Class < 0 || g.Class >= g.cfg.Classes {
		return fmt.Errorf("bigbigan: class %d outside [0,%d)", g.Class, g.cfg.Classes)
	}
	return nil
}

// chunk returns chunk i of a hierarchical z (all of z otherwise).
func (g *Generator) chunk(b nn.Backend, z nn.Tensor, i int) nn.Tensor {
	if !g.cfg.Hierarchical {
		return z
	}
	return b.Slice(z, 1, i*g.cfg.ZChunk, (i+1)*g.cfg.ZChunk)
}

// head is the linear layer on z's first chunk, seen as [N, Widths[0], Bottom, Bottom].
func (g *Generator) head(b nn.Backend, z nn.Tensor) nn.Tensor {
	c := g.cfg
	h := g.Linear.Forward(b, g.chunk(b, z, 0))
	return b.Reshape(h, z.Shape()[0], c.Widths[0], c.Bottom, c.Bottom)
}

// cond is the conditioning vector of block i: cat(y, z_{i+1}), with
// y = shared(class) for every sample.
func (g *Generator) cond(b nn.Backend, i int, z nn.Tensor) nn.Tensor {
	n := z.Shape()[0]
	y := b.Slice(b.Param(g.Shared.Weight), 0, g.Class, g.Class+1)
	c := nn.Add(b, b.Constant(nt.Zeros(b.DType(), n, 1)), y)
	if g.cfg.Hierarchical {
		c = b.Concat(1, c, g.chunk(b, z, i+1))
	}
	return c
}

// stage runs block i (nn.GBlock) and its attention.
func (g *Generator) stage(b nn.Backend, i int, h, z nn.Tensor) nn.Tensor {
	st := g.Blocks[i]
	h = st.Block.Forward(b, h, g.cond(b, i, z))
	if st.Attn != nil {
		h = st.Attn.Forward(b, h)
	}
	return h
}

// The two halves of stage i, for low-memory runs: nn.GBlock.Forward cut
// after its first convolution (TestLowMemoryMatches checks that the halves
// compute exactly what the block does).
func (g *Generator) stageFirst(b nn.Backend, i int, h, z nn.Tensor) nn.Tensor {
	blk := g.Blocks[i].Block
	t := nn.ReLU(b, blk.BN1.Forward(b, h, g.cond(b, i, z)))
	return blk.Conv1.Forward(b, b.Upsample(t, 2))
}

func (g *Generator) stageSecond(b nn.Backend, i int, t, h, z nn.Tensor) nn.Tensor {
	st := g.Blocks[i]
	blk := st.Block
	t = blk.Conv2.Forward(b, nn.ReLU(b, blk.BN2.Forward(b, t, g.cond(b, i, z))))
	out := nn.Add(b, t, blk.ConvSC.Forward(b, b.Upsample(h, 2)))
	if st.Attn != nil {
		out = st.Attn.Forward(b, out)
	}
	return out
}

// tail is the output layer: tanh(conv(relu(bn(h)))).
func (g *Generator) tail(b nn.Backend, h nn.Tensor) nn.Tensor {
	h = nn.ReLU(b, g.Output.BN.Forward(b, h))
	return nn.Tanh(b, g.Output.Conv.Forward(b, h))
}

// MaxAbsZ bounds the latent values Generate accepts. BigBiGAN draws z from
// a standard normal (truncated when sampling), so |z| beyond a few units
// is already far out; the shipped generator's images saturate from about
// 1e3 on and turn to NaN beyond about 1e19. Larger values are refused
// rather than turned into meaningless images.
const MaxAbsZ = 100

// CheckZValues returns an error naming the first value of z (rows of d
// values) that is not finite or beyond MaxAbsZ.
func CheckZValues(z []float32, d int) error {
	for i, v := range z {
		x := float64(v)
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > MaxAbsZ {
			return fmt.Errorf("bigbigan: z row %d, value %d is %v: latent codes must be finite and within ±%d (z is standard normal)", i/max(d, 1), i%max(d, 1), v, MaxAbsZ)
		}
	}
	return nil
}

// Generate maps z [N, Latent] to images [N, Channels, R, R] in [-1, 1]
// (inference mode), in runs of at most MaxBatch samples. A z value that is
// not finite or beyond MaxAbsZ is an error (CheckZValues), and so is an
// image that comes out non-finite (weights with NaN): never NaN images.
func (g *Generator) Generate(z *nt.Dense) (*nt.Dense, error) {
	if z == nil {
		return nil, errors.New("bigbigan: nil z")
	}
	if err := g.check(z.Shape()); err != nil {
		return nil, err
	}
	zf, err := nt.ToFloat32(z)
	if err != nil {
		return nil, fmt.Errorf("bigbigan: z: %w", err)
	}
	if err := CheckZValues(nt.Data32(zf), g.cfg.Latent()); err != nil {
		return nil, err
	}
	n, d := z.Shape()[0], g.cfg.Latent()
	step := g.MaxBatch
	if step <= 0 {
		step = g.autoBatch()
	}
	r, ch := g.cfg.Resolution(), g.cfg.Channels
	out := make([]float32, n*ch*r*r)
	src := nt.Data32(zf)
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		zb := nt.New32(src[lo*d:hi*d], hi-lo, d)
		var img *nt.Dense
		if g.LowMemory {
			img, err = g.runStaged(zb)
		} else {
			img, err = g.run(zb)
		}
		if err != nil {
			return nil, err
		}
		copy(out[lo*ch*r*r:], nt.Data32(img))
	}
	for i, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("bigbigan: the image of z row %d has a %v pixel (NaN or infinite weights?)", i/(ch*r*r), v)
		}
	}
	return nt.New32(out, n, ch, r, r), nil
}

// stageBytes estimates, per sample, the bytes of the activations and
// convolution scratch of each stage of a low-memory run: the linear layer,
// the two halves of each block (the second with the attention), the
// output layer. Their sum is what the whole network's graph keeps.
func (c Config) stageBytes() []int {
	out := []int{4 * 2 * c.Widths[0] * c.Bottom * c.Bottom}
	r := c.Bottom
	for i := range c.Blocks() {
		in, o := c.Widths[i], c.Widths[i+1]
		ri, ro := r*r, 4*r*r
		first := 3*in*ri + in*ro + o*ro + (9*in+o)*ro
		second := 3*o*ro + o*ro + in*ro + 2*o*ro + (9*o+o)*ro + (in+o)*ro
		if i == c.attentionAfter() && c.Attention != 0 {
			second += (o/8+o/8+o/2)*ro + ro*ro/4*2 + o/2*ro + o*ro*2 + 2*o*ro
		}
		out = append(out, 4*first, 4*second)
		r *= 2
	}
	last := c.Widths[len(c.Widths)-1]
	return append(out, 4*(3*last*r*r+(9*last+c.Channels)*r*r+2*c.Channels*r*r))
}

// bufferBytes is the total of stageBytes (what the whole network's graph
// keeps) and its largest entry (what a low-memory run needs at most).
func (c Config) bufferBytes() (total, largest int) {
	for _, b := range c.stageBytes() {
		total += b
		largest = max(largest, b)
	}
	return total, largest
}

// runBudget is the memory the graphs of one Generate run may take when
// MaxBatch is 0.
const runBudget = 256 << 20

func (g *Generator) autoBatch() int {
	total, largest := g.cfg.bufferBytes()
	per := total
	if g.LowMemory {
		per = largest
	}
	return max(1, min(64, runBudget/max(per, 1)))
}

// run generates one batch. The compiled graph of the last batch size is
// kept (its buffers make the next run of that size cheap); a new size
// replaces it, so at most one graph's buffers are held.
func (g *Generator) run(z *nt.Dense) (*nt.Dense, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := z.Shape()[0]
	if g.prog == nil || g.progSize != n {
		g.prog, g.progSize = nil, 0
		g.prog = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{g.Forward(b, in[0])}
		})
		g.progSize = n
	}
	out, err := g.prog.Run(z)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// collect frees the graphs of the stages run so far, unreachable once their
// runs returned. Gorgonia's tape machine has a finalizer, so a graph
// survives the first collection (which queues the finalizer) and goes in a
// second one, after the finalizer has run.
func collect() {
	runtime.GC()
	runtime.Gosched()
	runtime.GC()
}

// runStaged generates one batch stage by stage (the linear layer, the
// two halves of each block, the second with the block's attention, the
// output layer), each in a graph of its own that is dropped after its run.
// Garbage is collected before a stage when the buffers of the stages since
// the last collection and its own would exceed the largest stage's, so
// that the memory beyond the weights stays about that of the largest
// stage, not of the whole network, with a few collections per run.
func (g *Generator) runStaged(z *nt.Dense) (*nt.Dense, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.prog, g.progSize = nil, 0
	sizes := g.cfg.stageBytes()
	largest := slices.Max(sizes)
	pending, stage := 0, 0
	one := func(fn graph.Func, in ...*nt.Dense) (*nt.Dense, error) {
		if pending+sizes[stage] > largest {
			collect()
			pending = 0
		}
		pending += sizes[stage]
		stage++
		out, err := graph.Compile(fn).Run(in...)
		if err != nil {
			return nil, err
		}
		return out[0], nil
	}
	h, err := one(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{g.head(g.backend(b), in[0])}
	}, z)
	if err != nil {
		return nil, err
	}
	for i := range g.Blocks {
		t, err := one(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{g.stageFirst(g.backend(b), i, in[0], in[1])}
		}, h, z)
		if err != nil {
			return nil, err
		}
		h, err = one(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{g.stageSecond(g.backend(b), i, in[0], in[1], in[2])}
		}, t, h, z)
		if err != nil {
			return nil, err
		}
	}
	return one(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{g.tail(g.backend(b), in[0])}
	}, h)
}

// Release drops the compiled inference graph and its buffers (activations
// and convolution scratch); the next Generate builds it again.
func (g *Generator) Release() {
	g.mu.Lock()
	g.prog, g.progSize = nil, 0
	g.mu.Unlock()
}

// LoadGenerator reads a generator for inference from path: a
// BigGAN-PyTorch state dict (a PyTorch checkpoint .pth/.pt such as the
// public BigBiGAN_x1.pth, a safetensors file or an .npz with BigGAN-PyTorch's
// keys), whose configuration it infers from the shapes (InferConfig) and
// whose spectral norm it folds; or the weights of a trained BiGAN (BiGAN.Save
// or a training checkpoint), whose generator it returns.
func LoadGenerator(path string) (*Generator, error) {
	var sd *nt.StateDict
	var err error
	if strings.EqualFold(filepath.Ext(path), ".safetensors") {
		// Read once to tell a BiGAN's weights (their format tag) from a
		// BigGAN-PyTorch state dict.
		sd, err = nt.LoadSafetensors(path)
		if err != nil {
			return nil, fmt.Errorf("bigbigan: %w", err)
		}
		if f := sd.Metadata["format"]; f == checkpoint.WeightsFormat || f == checkpoint.Format {
			v, err := LoadBiGAN(path)
			if err != nil {
				return nil, err
			}
			return v.Generator, nil
		}
	} else if sd, err = nt.Load(path); err != nil {
		return nil, fmt.Errorf("bigbigan: %w", err)
	}
	g, err := FromStateDict(sd)
	if err != nil {
		return nil, fmt.Errorf("bigbigan: %s: %w", path, err)
	}
	return g, nil
}
