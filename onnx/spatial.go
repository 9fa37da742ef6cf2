package onnx

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/neurolatent/neurolatent/nn"
)

// The backend's windowed ops are 2-D. A 1-D node [N,C,L] runs as a 2-D one
// on [N,C,1,L] with a unit kernel, stride and dilation and no padding on
// the added axis, which is exact; 3-D nodes are refused.

// window is the geometry of a Conv, ConvTranspose or MaxPool node, lifted
// to two spatial axes (height, width).
type window struct {
	rank                     int // the node's spatial axes: 1 or 2
	kernel, stride, dilation [2]int
	pads                     [4]int // top, bottom, left, right
	autoPad                  string
}

// checkWindowed refuses what the file alone shows unsupported: a
// kernel_shape of other than 1 or 2 axes, an unknown auto_pad.
func checkWindowed(n *Node, _ int64) error {
	if k := n.Ints("kernel_shape"); k != nil && len(k) != 1 && len(k) != 2 {
		return fmt.Errorf("%d-D kernel (the backend's windowed ops are 2-D)", len(k))
	}
	switch p := n.String("auto_pad", "NOTSET"); p {
	case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER":
	default:
		return fmt.Errorf("auto_pad %q", p)
	}
	return nil
}

// window reads the geometry of a node whose input has rank xRank; kernel
// comes from the weight (nil for pooling, whose kernel_shape is required).
func (c *nodeCtx) window(xRank int, kernel []int) (window, error) {
	w := window{rank: xRank - 2, autoPad: c.n.String("auto_pad", "NOTSET")}
	if w.rank != 1 && w.rank != 2 {
		return w, fmt.Errorf("%d spatial axes (the backend's windowed ops are 2-D)", w.rank)
	}
	if attr := toInts(c.n.Ints("kernel_shape")); attr != nil {
		if kernel != nil && !slices.Equal(attr, kernel) {
			return w, fmt.Errorf("kernel_shape %v, weight has %v", attr, kernel)
		}
		kernel = attr
	}
	var err error
	if w.kernel, err = w.lift(kernel, 1); err != nil {
		return w, fmt.Errorf("kernel: %w", err)
	}
	for _, a := range []struct {
		name string
		dst  *[2]int
	}{{"strides", &w.stride}, {"dilations", &w.dilation}} {
		*a.dst = [2]int{1, 1}
		if v := toInts(c.n.Ints(a.name)); v != nil {
			if *a.dst, err = w.lift(v, 1); err != nil {
				return w, fmt.Errorf("%s: %w", a.name, err)
			}
		}
	}
	if p := toInts(c.n.Ints("pads")); p != nil {
		if len(p) != 2*w.rank {
			return w, fmt.Errorf("pads %v for %d spatial axes", p, w.rank)
		}
		if w.rank == 2 { // ONNX orders pads [begin..., end...]
			w.pads = [4]int{p[0], p[2], p[1], p[3]}
		} else {
			w.pads = [4]int{0, 0, p[0], p[1]}
		}
	}
	return w, nil
}

// lift returns per-axis values for the 2-D op: a 1-D node's value goes to
// the width and neutral to the height.
func (w window) lift(v []int, neutral int) ([2]int, error) {
	if len(v) != w.rank {
		return [2]int{}, fmt.Errorf("%v for %d spatial axes", v, w.rank)
	}
	if w.rank == 1 {
		return [2]int{neutral, v[0]}, nil
	}
	return [2]int{v[0], v[1]}, nil
}

// convPads resolves auto_pad over the spatial size in: SAME_* give
// ceil(in/stride) outputs with the odd padding after (SAME_UPPER) or
// before (SAME_LOWER), VALID none.
func (w window) convPads(in [2]int) [4]int {
	switch w.autoPad {
	case "VALID":
		return [4]int{}
	case "SAME_UPPER", "SAME_LOWER":
		var p [4]int
		for i := range 2 {
			p[2*i], p[2*i+1] = nn.SamePad(in[i], w.kernel[i], w.stride[i], w.dilation[i], w.autoPad == "SAME_LOWER")
		}
		return p
	}
	return w.pads
}

// lift2d reshapes a 1-D node's [N,C,L] to [N,C,1,L].
func (w window) lift2d(b nn.Backend, x nn.Tensor) nn.Tensor {
	if w.rank == 2 {
		return x
	}
	s := x.Shape()
	return b.Reshape(x, s[0], s[1], 1, s[2])
}

// unlift2d reverses lift2d.
func (w window) unlift2d(b nn.Backend, y nn.Tensor) nn.Tensor {
	s := y.Shape()
	if w.rank == 2 || len(s) != 4 {
		return y
	}
	return b.Reshape(y, s[0], s[1], s[3])
}

// spatial returns the spatial sizes of [N,C,H,W].
func spatial(s []int) [2]int {
	if len(s) != 4 {
		return [2]int{}
	}
	return [2]int{s[2], s[3]}
}

// convInputs returns X, W and the optional bias of Conv or ConvTranspose
// with the node's window.
func (c *nodeCtx) convInputs() (x, w, bias nn.Tensor, win window, err error) {
	if x, err = c.in(0); err != nil {
		return
	}
	if w, err = c.in(1); err != nil {
		return
	}
	if bias, err = c.optIn(2); err != nil {
		return
	}
	ws := w.Shape()
	if len(ws) < 3 {
		err = fmt.Errorf("weight of shape %v", ws)
		return
	}
	if len(x.Shape()) != len(ws) {
		err = fmt.Errorf("input %v and weight %v differ in rank", x.Shape(), ws)
		return
	}
	win, err = c.window(len(x.Shape()), ws[2:])
	if err == nil {
		x, w = win.lift2d(c.b(), x), win.lift2d(c.b(), w)
	}
	return
}

// opConv maps Conv: X [N,C,...], W [M,C/group,k...], B [M] optional.
func opConv(c *nodeCtx) ([]*value, error) {
	x, w, bias, win, err := c.convInputs()
	if err != nil {
		return nil, err
	}
	p := nn.ConvParams{Stride: win.stride, Dilation: win.dilation, Pad: win.convPads(spatial(x.Shape())),
		Groups: int(c.n.Int("group", 1))}
	return dev(win.unlift2d(c.b(), c.b().Conv2d(x, w, bias, p))), nil
}

// opConvTranspose maps ConvTranspose: X [N,C,...], W [C,M/group,k...],
// B [M] optional. The full output of length
// full = stride*(in-1) + (k-1)*dilation + 1 is extended by output_padding
// at the end and cropped by pads (begin, end). With output_shape, or
// auto_pad SAME_* (output in*stride), the crop is
// total = full + output_padding - output: SAME_UPPER crops floor(total/2)
// at the start and the rest at the end, NOTSET and SAME_LOWER the reverse.
func opConvTranspose(c *nodeCtx) ([]*value, error) {
	x, w, bias, win, err := c.convInputs()
	if err != nil {
		return nil, err
	}
	p := nn.ConvParams{Stride: win.stride, Dilation: win.dilation, Groups: int(c.n.Int("group", 1))}
	if err := c.convTransposePads(win, spatial(x.Shape()), &p); err != nil {
		return nil, err
	}
	return dev(win.unlift2d(c.b(), c.b().ConvTranspose2d(x, w, bias, p))), nil
}

// convTransposePads sets p's crop and output padding.
func (c *nodeCtx) convTransposePads(win window, in [2]int, p *nn.ConvParams) error {
	outPad := [2]int{}
	if v := toInts(c.n.Ints("output_padding")); v != nil {
		var err error
		if outPad, err = win.lift(v, 0); err != nil {
			return fmt.Errorf("output_padding: %w", err)
		}
	}
	var target []int
	if v := toInts(c.n.Ints("output_shape")); v != nil {
		if len(v) == win.rank+2 { // some exporters give N and C too
			v = v[2:]
		}
		t, err := win.lift(v, 1)
		if err != nil {
			return fmt.Errorf("output_shape: %w", err)
		}
		target = t[:]
	} else if win.autoPad == "SAME_UPPER" || win.autoPad == "SAME_LOWER" {
		target = []int{in[0] * win.stride[0], in[1] * win.stride[1]}
	}
	for i := range 2 {
		before, after := win.pads[2*i], win.pads[2*i+1]
		switch {
		case target != nil:
			full := (in[i]-1)*win.stride[i] + (win.kernel[i]-1)*win.dilation[i] + 1
			total := full + outPad[i] - target[i]
			half := int(math.Floor(float64(total) / 2))
			before, after = total-half, half
			if win.autoPad == "SAME_UPPER" {
				before, after = half, total-half
			}
		case win.autoPad == "VALID":
			before, after = 0, 0
		}
		if before < 0 {
			return fmt.Errorf("padding the output before its start (pad %d) is not supported", before)
		}
		// Output j is full[j+before], zero past the end: only the net crop
		// at the end matters.
		net := after - outPad[i]
		p.Pad[2*i], p.Pad[2*i+1] = before, max(net, 0)
		p.OutputPadding[i] = max(-net, 0)
	}
	return nil
}

// checkMaxPool refuses the Indices output and non-2-D kernels.
func checkMaxPool(n *Node, opset int64) error {
	if len(n.Outputs) > 1 && n.Outputs[1] != "" {
		return errors.New("the Indices output (the backend returns values only)")
	}
	if n.Ints("kernel_shape") == nil {
		return errors.New("kernel_shape missing")
	}
	return checkWindowed(n, opset)
}

// opMaxPool maps MaxPool (kernel_shape, strides, pads, dilations,
// ceil_mode, auto_pad).
func opMaxPool(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	win, err := c.window(len(x.Shape()), nil)
	if err != nil {
		return nil, err
	}
	x = win.lift2d(c.b(), x)
	p := nn.PoolParams{Kernel: win.kernel, Stride: win.stride, Dilation: win.dilation,
		Pad: win.convPads(spatial(x.Shape())), CeilMode: c.n.Int("ceil_mode", 0) != 0}
	return dev(win.unlift2d(c.b(), c.b().MaxPool2d(x, p))), nil
}

// checkBatchNorm refuses the legacy training outputs (saved mean and
// variance, before opset 14) and the legacy per-activation form.
func checkBatchNorm(n *Node, opset int64) error {
	switch {
	case opset < 14 && len(n.Outputs) > 1:
		return errors.New("training outputs (running and saved statistics) before opset 14")
	case opset < 9 && n.Int("spatial", 1) == 0:
		return errors.New("spatial=0 (per-activation statistics)")
	}
	return nil
}

// batchNormTraining reports whether a BatchNormalization node normalises
// with the batch's statistics: training_mode=1 from opset 14, is_test=0
// before opset 7.
func batchNormTraining(n *Node, opset int64) bool {
	switch {
	case opset >= 14:
		return n.Int("training_mode", 0) != 0
	case opset < 7:
		return n.Int("is_test", 0) == 0
	}
	return false
}

// opBatchNorm maps BatchNormalization,
// y = (x - mean)/sqrt(var + epsilon)*scale + B per channel of [N,C,...].
// At inference with all four operands initializers it is the backend's
// BatchNorm with stored statistics; otherwise the per-channel scale and
// shift are computed on the backend and applied by ChannelAffine. In
// training mode see batchNormTrain.
func opBatchNorm(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	eps := float64(c.n.Float("epsilon", 1e-5))
	if batchNormTraining(c.n, c.opset) {
		return batchNormTrain(c, x, eps)
	}
	var ps [4]*nn.Param // scale, B, mean, var
	params := true
	for i := range ps {
		v, err := c.val(i + 1)
		if err != nil {
			return nil, err
		}
		ps[i], params = v.param, params && v.param != nil && v.dev == nil
	}
	b := c.b()
	if params {
		st := &nn.BatchNormState{Weight: ps[0], Bias: ps[1], Mean: ps[2], Var: ps[3], Eps: eps}
		return dev(b.BatchNorm(x, st, false)), nil
	}
	var t [4]nn.Tensor
	for i := range t {
		if t[i], err = c.in(i + 1); err != nil {
			return nil, err
		}
	}
	s := nn.Div(b, t[0], nn.Sqrt(b, nn.AddScalar(b, t[3], eps)))
	shift := nn.Sub(b, t[1], nn.Mul(b, t[2], s))
	return dev(b.ChannelAffine(x, s, shift)), nil
}

// batchNormTrain normalises x [N,C,...] with the batch's mean and
// population variance over every axis but C. Its outputs 1 and 2 (opset
// 14 on) are the updated running statistics,
// running = input*momentum + batch*(1-momentum), momentum 0.9 by default.
// The model's statistics are read, never written: each run computes them
// anew from the inputs.
func batchNormTrain(c *nodeCtx, x nn.Tensor, eps float64) ([]*value, error) {
	var t [4]nn.Tensor // scale, B, input mean, input var
	for i := range t {
		var err error
		if t[i], err = c.in(i + 1); err != nil {
			return nil, err
		}
	}
	b, xs := c.b(), x.Shape()
	if len(xs) < 2 {
		return nil, fmt.Errorf("input of shape %v, want [N,C,...]", xs)
	}
	axes := []int{0}
	for i := 2; i < len(xs); i++ {
		axes = append(axes, i)
	}
	centred := nn.Sub(b, x, b.Reduce(x, nn.MeanOp, true, axes...))
	variance := b.Reshape(b.Reduce(nn.Square(b, centred), nn.MeanOp, true, axes...), xs[1])
	s := nn.Div(b, t[0], nn.Sqrt(b, nn.AddScalar(b, variance, eps)))
	outs := dev(b.ChannelAffine(centred, s, t[1]))
	if len(c.n.Outputs) == 1 {
		return outs, nil
	}
	mean := b.Reshape(b.Reduce(x, nn.MeanOp, false, axes...), xs[1])
	m := float64(c.n.Float("momentum", 0.9))
	running := func(input, batch nn.Tensor) *value {
		return &value{dev: nn.Add(b, nn.Scale(b, input, m), nn.Scale(b, batch, 1-m))}
	}
	return append(outs, running(t[2], mean), running(t[3], variance)), nil
}

// checkUpsample refuses non-nearest modes and the opsets where Upsample
// no longer exists.
func checkUpsample(n *Node, opset int64) error {
	if opset >= 10 {
		return fmt.Errorf("Upsample is deprecated from opset 10 (model opset %d): use Resize", opset)
	}
	if m := n.String("mode", "nearest"); m != "nearest" {
		return fmt.Errorf("mode %q (only nearest)", m)
	}
	return nil
}

// opUpsample maps Upsample (opsets 7 to 9) in nearest mode, where output
// index o reads input floor(o/scale).
func opUpsample(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	var scales []float64
	if c.opset >= 9 {
		t, err := c.hostIn(1)
		if err != nil {
			return nil, err
		}
		scales = t.Float64s()
	} else {
		a := c.n.attr("scales")
		if a == nil {
			return nil, errors.New("attribute scales missing")
		}
		for _, s := range a.Floats {
			scales = append(scales, float64(s))
		}
	}
	xs := x.Shape()
	out := make([]int, len(scales))
	for i, s := range scales {
		if i < len(xs) {
			out[i] = int(math.Floor(float64(xs[i]) * s))
		}
	}
	return upsampleTo(c, x, out, scales, "asymmetric", "floor")
}

// checkResize accepts nearest mode with the defaults of opset 18's new
// attributes.
func checkResize(n *Node, opset int64) error {
	if opset < 11 {
		return fmt.Errorf("Resize-%d (from opset 11 only)", opset)
	}
	if m := n.String("mode", "nearest"); m != "nearest" {
		return fmt.Errorf("mode %q (only nearest)", m)
	}
	if n.Int("antialias", 0) != 0 {
		return errors.New("antialias=1")
	}
	if n.Ints("axes") != nil {
		return errors.New("the axes attribute")
	}
	if p := n.String("keep_aspect_ratio_policy", "stretch"); p != "stretch" {
		return fmt.Errorf("keep_aspect_ratio_policy %q", p)
	}
	return nil
}

// opResize maps Resize in nearest mode where every output pixel repeats an
// input pixel a whole number of times: [N,C,H,W] input, N and C unchanged,
// and a coordinate transform and rounding that make output index o read
// input floor(o/f). Scales give the output size floor(in*scale); sizes
// give it directly. Other resizes are errors naming the pixel at fault.
func opResize(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	var scales []float64
	var out []int
	sizes := c.has(3)
	if sizes {
		if t, err := c.hostIn(3); err != nil {
			return nil, err
		} else if t.Len() == 0 {
			sizes = false
		}
	}
	switch {
	case sizes:
		if out, err = c.hostInts(3); err != nil {
			return nil, err
		}
		for i, o := range out {
			if i < len(xs) {
				scales = append(scales, float64(o)/float64(xs[i]))
			}
		}
	case c.has(2):
		t, err := c.hostIn(2)
		if err != nil {
			return nil, err
		}
		for i, s := range t.Float64s() {
			s = float64(float32(s)) // ONNX scales are float32
			scales = append(scales, s)
			if i < len(xs) {
				out = append(out, int(math.Floor(float64(xs[i])*s)))
			}
		}
	default:
		return nil, errors.New("neither scales nor sizes given")
	}
	return upsampleTo(c, x, out, scales, c.n.String("coordinate_transformation_mode", "half_pixel"),
		c.n.String("nearest_mode", "round_prefer_floor"))
}

// upsampleTo resizes x [N,C,H,W] to the sizes out by pixel repetition.
func upsampleTo(c *nodeCtx, x nn.Tensor, out []int, scales []float64, transform, rounding string) ([]*value, error) {
	xs := x.Shape()
	if len(xs) != 4 || len(out) != 4 || len(scales) != 4 {
		return nil, fmt.Errorf("input %v with %d sizes and %d scales: only [N,C,H,W] resizes of H and W are supported", xs, len(out), len(scales))
	}
	if out[0] != xs[0] || out[1] != xs[1] {
		return nil, fmt.Errorf("resizing the batch or channel axis (%v to %v) is not supported", xs, out)
	}
	var f [2]int
	for i := range 2 {
		in, o := xs[2+i], out[2+i]
		if in < 1 || o < in || o%in != 0 {
			return nil, fmt.Errorf("axis %d from %d to %d is not a whole-number enlargement (supported: nearest repetition)", 2+i, in, o)
		}
		f[i] = o / in
		for k := range o {
			src, err := nearestSource(k, in, o, scales[2+i], transform, rounding)
			if err != nil {
				return nil, err
			}
			if src != k/f[i] {
				return nil, fmt.Errorf("with %s/%s output %d of axis %d reads input %d, not a repetition of each pixel (supported)", transform, rounding, k, 2+i, src)
			}
		}
	}
	return dev(upsample2(c.b(), x, f)), nil
}

// nearestSource is the input index that nearest-mode Resize reads for
// output index o: the coordinate transform maps o to a position, the
// nearest mode rounds it, and it is clamped to the input.
func nearestSource(o, in, out int, scale float64, transform, rounding string) (int, error) {
	x := float64(o)
	var pos float64
	switch transform {
	case "half_pixel":
		pos = (x+0.5)/scale - 0.5
	case "pytorch_half_pixel":
		if out > 1 {
			pos = (x+0.5)/scale - 0.5
		}
	case "align_corners":
		if out > 1 {
			pos = x * float64(in-1) / float64(out-1)
		}
	case "asymmetric":
		pos = x / scale
	case "tf_half_pixel_for_nn":
		pos = (x + 0.5) / scale
	default:
		return 0, fmt.Errorf("coordinate_transformation_mode %q is not supported", transform)
	}
	var r float64
	switch rounding {
	case "round_prefer_floor", "round_prefer_ceil":
		r = math.Round(pos)
		if pos == math.Floor(pos)+0.5 {
			r = math.Floor(pos)
			if rounding == "round_prefer_ceil" {
				r = math.Ceil(pos)
			}
		}
	case "floor":
		r = math.Floor(pos)
	case "ceil":
		r = math.Ceil(pos)
	default:
		return 0, fmt.Errorf("nearest_mode %q is not supported", rounding)
	}
	return min(max(int(r), 0), in-1), nil
}

// upsample2 repeats the pixels of x [N,C,H,W] f[0] times down and f[1]
// across. Backend.Upsample takes one factor; for two different ones each
// axis is upsampled in turn and the repetition along the other axis is
// dropped by a reshape and a slice, which is exact.
func upsample2(b nn.Backend, x nn.Tensor, f [2]int) nn.Tensor {
	if f[0] == f[1] {
		if f[0] == 1 {
			return x
		}
		return b.Upsample(x, f[0])
	}
	if f[0] > 1 { // rows: [N,C,fH,fW] as [N,C,fH,W,f], keep repetition 0
		s := x.Shape()
		y := b.Reshape(b.Upsample(x, f[0]), s[0], s[1], f[0]*s[2], s[3], f[0])
		x = b.Reshape(b.Slice(y, 4, 0, 1), s[0], s[1], f[0]*s[2], s[3])
	}
	if f[1] > 1 { // columns: [N,C,fH,fW] as [N,C,H,f,fW], keep repetition 0
		s := x.Shape()
		y := b.Reshape(b.Upsample(x, f[1]), s[0], s[1], s[2], f[1], f[1]*s[3])
		x = b.Reshape(b.Slice(y, 3, 0, 1), s[0], s[1], s[2], f[1]*s[3])
	}
	return x
}
