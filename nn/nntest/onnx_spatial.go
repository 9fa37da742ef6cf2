package nntest

import (
	"fmt"
	"math"
	"slices"

	"github.com/neurolatent/neurolatent/nn"
)

// The Backend's windowed ops are 2-D. A 1-D node [N,C,L] is run as a 2-D
// one on [N,C,1,L] with a unit kernel, stride and dilation and no padding on
// the added axis, which is exact; 3-D nodes are left out.

// onnxWindow is the geometry of a Conv, ConvTranspose or MaxPool node,
// lifted to two spatial axes (height, width).
type onnxWindow struct {
	rank                     int // spatial axes of the node: 1 or 2
	kernel, stride, dilation [2]int
	pads                     [4]int // top, bottom, left, right (the pads attribute)
	autoPad                  string // NOTSET, SAME_UPPER, SAME_LOWER or VALID
}

// window reads the geometry attributes of a node whose input has the given
// rank. kernel is the kernel from the weight's shape (nil for pooling,
// whose kernel_shape is required); a kernel_shape attribute must agree.
func (n *onnxNode) window(xRank int, kernel []int) (onnxWindow, error) {
	op := n.node.OpType
	w := onnxWindow{rank: xRank - 2, autoPad: n.node.String("auto_pad", "NOTSET")}
	if w.rank != 1 && w.rank != 2 {
		return w, leaveOut("%d-D %s: the Backend's windowed ops are 2-D", w.rank, op)
	}
	if attr := toInts(n.node.Ints("kernel_shape")); attr != nil {
		if kernel != nil && !slices.Equal(attr, kernel) {
			return w, fmt.Errorf("%s: kernel_shape %v, weight has %v", op, attr, kernel)
		}
		kernel = attr
	}
	if len(kernel) != w.rank {
		return w, fmt.Errorf("%s: kernel %v for %d spatial axes", op, kernel, w.rank)
	}
	var err error
	if w.kernel, err = w.lift(kernel, 1); err != nil {
		return w, fmt.Errorf("%s: kernel_shape: %w", op, err)
	}
	if w.stride, err = w.liftAttr(n, "strides"); err != nil {
		return w, err
	}
	if w.dilation, err = w.liftAttr(n, "dilations"); err != nil {
		return w, err
	}
	if p := toInts(n.node.Ints("pads")); p != nil {
		if len(p) != 2*w.rank {
			return w, fmt.Errorf("%s: pads %v for %d spatial axes", op, p, w.rank)
		}
		// ONNX orders pads [begin..., end...].
		if w.rank == 2 {
			w.pads = [4]int{p[0], p[2], p[1], p[3]}
		} else {
			w.pads = [4]int{0, 0, p[0], p[1]}
		}
	}
	switch w.autoPad {
	case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER":
	default:
		return w, fmt.Errorf("%s: auto_pad %q", op, w.autoPad)
	}
	return w, nil
}

// liftAttr reads a per-axis INTS attribute whose default is all ones.
func (w onnxWindow) liftAttr(n *onnxNode, name string) ([2]int, error) {
	v := toInts(n.node.Ints(name))
	if v == nil {
		return [2]int{1, 1}, nil
	}
	out, err := w.lift(v, 1)
	if err != nil {
		return out, fmt.Errorf("%s: %s: %w", n.node.OpType, name, err)
	}
	return out, nil
}

// lift returns per-axis values for the two axes of the 2-D op: a 1-D
// node's value goes to the width and neutral to the height.
func (w onnxWindow) lift(v []int, neutral int) ([2]int, error) {
	if len(v) != w.rank {
		return [2]int{}, fmt.Errorf("%v for %d spatial axes", v, w.rank)
	}
	if w.rank == 1 {
		return [2]int{neutral, v[0]}, nil
	}
	return [2]int{v[0], v[1]}, nil
}

// convPads resolves auto_pad for a convolution or pooling over the 2-D
// spatial size in: SAME_UPPER and SAME_LOWER give ceil(in/stride) outputs
// with the odd padding after (before for SAME_LOWER), VALID none.
func (w onnxWindow) convPads(in [2]int) [4]int {
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
func (w onnxWindow) lift2d(n *onnxNode, x nn.Tensor) nn.Tensor {
	if w.rank == 2 {
		return x
	}
	s := x.Shape()
	return n.b.Reshape(x, s[0], s[1], 1, s[2])
}

// unlift2d reverses lift2d on an output [N,C,1,L].
func (w onnxWindow) unlift2d(n *onnxNode, y nn.Tensor) nn.Tensor {
	if w.rank == 2 {
		return y
	}
	s := y.Shape()
	if len(s) != 4 {
		return y // the backend has recorded an error
	}
	return n.b.Reshape(y, s[0], s[1], s[3])
}

// spatial returns the two spatial sizes of a lifted [N,C,H,W] shape.
func spatial(s []int) [2]int {
	if len(s) != 4 {
		return [2]int{}
	}
	return [2]int{s[2], s[3]}
}

// onnxConv maps Conv: X [N,C,...], W [M,C/group,k...], optional B [M],
// with pads, strides, dilations, group and auto_pad.
func onnxConv(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	wt, err := n.in(1)
	if err != nil {
		return nil, err
	}
	bias, err := n.optIn(2)
	if err != nil {
		return nil, err
	}
	ws := wt.Shape()
	if len(ws) < 3 {
		return nil, fmt.Errorf("Conv: weight %v", ws)
	}
	win, err := n.window(len(x.Shape()), ws[2:])
	if err != nil {
		return nil, err
	}
	x, wt = win.lift2d(n, x), win.lift2d(n, wt)
	p := nn.ConvParams{Stride: win.stride, Dilation: win.dilation, Pad: win.convPads(spatial(x.Shape())),
		Groups: n.intAttr("group", 1)}
	return win.unlift2d(n, n.b.Conv2d(x, wt, bias, p)), nil
}

// onnxConvTranspose maps ConvTranspose: X [N,C,...], W [C,M/group,k...],
// optional B [M]. The full output of length
// full = stride*(in-1) + (k-1)*dilation + 1 is padded by output_padding at
// the end and cropped by pads (begin, end). With output_shape, or auto_pad
// SAME_* (output in*stride), the pads come from
// total = full + output_padding - output: SAME_UPPER crops floor(total/2)
// at the start and the rest at the end, NOTSET and SAME_LOWER the reverse
// (floor as in ONNX's reference, so an output_shape one larger than the
// full output gives end pad -1: one row of zeros plus bias at the end).
func onnxConvTranspose(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	wt, err := n.in(1)
	if err != nil {
		return nil, err
	}
	bias, err := n.optIn(2)
	if err != nil {
		return nil, err
	}
	ws := wt.Shape()
	if len(ws) < 3 {
		return nil, fmt.Errorf("ConvTranspose: weight %v", ws)
	}
	win, err := n.window(len(x.Shape()), ws[2:])
	if err != nil {
		return nil, err
	}
	x, wt = win.lift2d(n, x), win.lift2d(n, wt)
	p := nn.ConvParams{Stride: win.stride, Dilation: win.dilation, Groups: n.intAttr("group", 1)}
	if err := n.convTransposePads(win, spatial(x.Shape()), &p); err != nil {
		return nil, err
	}
	return win.unlift2d(n, n.b.ConvTranspose2d(x, wt, bias, p)), nil
}

// convTransposePads sets p's crop and output padding for ConvTranspose.
func (n *onnxNode) convTransposePads(win onnxWindow, in [2]int, p *nn.ConvParams) error {
	outPad := [2]int{}
	if v := toInts(n.node.Ints("output_padding")); v != nil {
		var err error
		if outPad, err = win.lift(v, 0); err != nil {
			return fmt.Errorf("ConvTranspose: output_padding: %w", err)
		}
	}
	target, err := n.convTransposeTarget(win, in)
	if err != nil {
		return err
	}
	for i := range 2 {
		before, after := win.pads[2*i], win.pads[2*i+1]
		switch {
		case target != nil:
			full := (in[i]-1)*win.stride[i] + (win.kernel[i]-1)*win.dilation[i] + 1
			total := full + outPad[i] - target[i]
			half := floorDiv(total, 2)
			before, after = total-half, half
			if win.autoPad == "SAME_UPPER" {
				before, after = half, total-half
			}
		case win.autoPad == "VALID":
			before, after = 0, 0
		}
		if before < 0 {
			return leaveOut("ConvTranspose padding the output before its start (pad %d)", before)
		}
		// Output j is full[j+before], zero past the end: only the net
		// crop at the end matters.
		net := after - outPad[i]
		p.Pad[2*i], p.Pad[2*i+1] = before, max(net, 0)
		p.OutputPadding[i] = max(-net, 0)
	}
	return nil
}

// convTransposeTarget returns the spatial output size that output_shape or
// auto_pad SAME_* asks for, or nil when the pads decide.
func (n *onnxNode) convTransposeTarget(win onnxWindow, in [2]int) ([]int, error) {
	if v := toInts(n.node.Ints("output_shape")); v != nil {
		if len(v) == win.rank+2 { // some exporters give N and C too
			v = v[2:]
		}
		t, err := win.lift(v, 1)
		if err != nil {
			return nil, fmt.Errorf("ConvTranspose: output_shape: %w", err)
		}
		return t[:], nil
	}
	if win.autoPad == "SAME_UPPER" || win.autoPad == "SAME_LOWER" {
		return []int{in[0] * win.stride[0], in[1] * win.stride[1]}, nil
	}
	return nil, nil
}

// floorDiv is a/b rounded towards negative infinity.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// onnxMaxPool maps MaxPool's output Y (kernel_shape, strides, pads,
// dilations, ceil_mode, auto_pad); the Indices output is left out.
func onnxMaxPool(n *onnxNode) (nn.Tensor, error) {
	if len(n.node.Outputs) > 1 && n.node.Outputs[1] != "" {
		return nil, leaveOut("MaxPool's Indices output (the Backend returns values only)")
	}
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	win, err := n.window(len(x.Shape()), nil)
	if err != nil {
		return nil, err
	}
	x = win.lift2d(n, x)
	p := nn.PoolParams{Kernel: win.kernel, Stride: win.stride, Dilation: win.dilation,
		Pad: win.convPads(spatial(x.Shape())), CeilMode: n.intAttr("ceil_mode", 0) != 0}
	return win.unlift2d(n, n.b.MaxPool2d(x, p)), nil
}

// onnxUpsample maps Upsample (opsets 7 to 9) in nearest mode, where output
// index o reads input floor(o/scale): exactly Backend.Upsample for
// whole-number scales on the spatial axes of [N,C,H,W].
func onnxUpsample(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	if mode := n.node.String("mode", "nearest"); mode != "nearest" {
		return nil, leaveOut("Upsample mode %q (Backend.Upsample is nearest)", mode)
	}
	var scales []float64
	if n.opset >= 9 {
		t, err := n.host(1)
		if err != nil {
			return nil, err
		}
		scales = t.Float64s()
	} else {
		for _, s := range n.node.Floats("scales") {
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
	return upsampleTo(n, x, out, scales, "asymmetric", "floor")
}

// onnxResize maps Resize (opsets 11 to 13) where Backend.Upsample computes
// it exactly: nearest mode, [N,C,H,W] input, N and C unchanged, each
// spatial axis enlarged by a whole factor f, and a coordinate transform
// and rounding that make output index o read input floor(o/f). Scales
// give the output size floor(in*scale); sizes give it directly (and the
// scale out/in).
func onnxResize(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	if n.opset < 11 || n.opset > 17 {
		return nil, leaveOut("Resize-%d (only opsets 11 to 17 are mapped)", n.opset)
	}
	if mode := n.node.String("mode", "nearest"); mode != "nearest" {
		return nil, leaveOut("Resize mode %q (Backend.Upsample is nearest)", mode)
	}
	xs := x.Shape()
	var scales []float64
	var out []int
	switch {
	case n.has(3):
		if out, err = n.hostInts(3); err != nil {
			return nil, err
		}
		for i, o := range out {
			if i < len(xs) {
				scales = append(scales, float64(o)/float64(xs[i]))
			}
		}
	case n.has(2):
		t, err := n.host(2)
		if err != nil {
			return nil, err
		}
		for i, s := range t.Float32s() { // ONNX scales are float32
			scales = append(scales, float64(s))
			if i < len(xs) {
				out = append(out, int(math.Floor(float64(xs[i])*float64(s))))
			}
		}
	default:
		return nil, fmt.Errorf("Resize: neither scales nor sizes given")
	}
	return upsampleTo(n, x, out, scales, n.node.String("coordinate_transformation_mode", "half_pixel"),
		n.node.String("nearest_mode", "round_prefer_floor"))
}

// upsampleTo resizes x [N,C,H,W] to the output sizes out by nearest
// neighbour, leaving out whatever is not a whole-factor repetition.
func upsampleTo(n *onnxNode, x nn.Tensor, out []int, scales []float64, transform, rounding string) (nn.Tensor, error) {
	op, xs := n.node.OpType, x.Shape()
	if len(xs) != 4 {
		return nil, leaveOut("%s of a rank-%d input (Backend.Upsample takes [N,C,H,W])", op, len(xs))
	}
	if len(out) != 4 || len(scales) != 4 {
		return nil, fmt.Errorf("%s: %d output sizes and %d scales for input %v", op, len(out), len(scales), xs)
	}
	if out[0] != xs[0] || out[1] != xs[1] {
		return nil, leaveOut("%s of the batch or channel axis (%v to %v)", op, xs, out)
	}
	var f [2]int
	for i := range 2 {
		in, o := xs[2+i], out[2+i]
		if o < in || o%in != 0 {
			return nil, leaveOut("%s of axis %d from %d to %d (scale %g): not a whole-number enlargement", op, 2+i, in, o, scales[2+i])
		}
		f[i] = o / in
		if err := checkRepeat(in, o, scales[2+i], transform, rounding); err != nil {
			return nil, leaveOut("%s of axis %d from %d to %d with %s/%s: %v", op, 2+i, in, o, transform, rounding, err)
		}
	}
	return upsample2(n.b, x, f), nil
}

// checkRepeat verifies that every output index o of an axis resized from in
// to out reads input floor(o/(out/in)), as Backend.Upsample does.
func checkRepeat(in, out int, scale float64, transform, rounding string) error {
	f := out / in
	for o := range out {
		src, err := nearestSource(o, in, out, scale, transform, rounding)
		if err != nil {
			return err
		}
		if src != o/f {
			return fmt.Errorf("output %d reads input %d, repetition reads %d", o, src, o/f)
		}
	}
	return nil
}

// nearestSource is the input index that ONNX Resize in nearest mode reads
// for output index o: the coordinate transform maps o to a real position,
// which the nearest mode rounds and which is clamped to the input.
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
		return 0, fmt.Errorf("coordinate transform %q", transform)
	}
	var r float64
	switch rounding {
	case "round_prefer_floor":
		r = math.Round(pos)
		if pos == math.Floor(pos)+0.5 {
			r = math.Floor(pos)
		}
	case "round_prefer_ceil":
		r = math.Round(pos)
		if pos == math.Floor(pos)+0.5 {
			r = math.Ceil(pos)
		}
	case "floor":
		r = math.Floor(pos)
	case "ceil":
		r = math.Ceil(pos)
	default:
		return 0, fmt.Errorf("nearest mode %q", rounding)
	}
	return min(max(int(r), 0), in-1), nil
}

// upsample2 repeats the pixels of x [N,C,H,W] f[0] times down and f[1]
// times across. Backend.Upsample takes one factor; for two different ones
// each axis is upsampled in turn and the repetition along the other axis
// is dropped again by a reshape and a slice, which is exact.
func upsample2(b nn.Backend, x nn.Tensor, f [2]int) nn.Tensor {
	if f[0] == f[1] {
		if f[0] == 1 {
			return x
		}
		return b.Upsample(x, f[0])
	}
	if f[0] > 1 { // rows only: [N,C,fH,fW] -> [N,C,fH,W,f] -> keep repetition 0
		s := x.Shape()
		y := b.Reshape(b.Upsample(x, f[0]), s[0], s[1], f[0]*s[2], s[3], f[0])
		x = b.Reshape(b.Slice(y, 4, 0, 1), s[0], s[1], f[0]*s[2], s[3])
	}
	if f[1] > 1 { // columns only: [N,C,fH,fW] -> [N,C,H,f,fW] -> keep repetition 0
		s := x.Shape()
		y := b.Reshape(b.Upsample(x, f[1]), s[0], s[1], s[2], f[1], f[1]*s[3])
		x = b.Reshape(b.Slice(y, 3, 0, 1), s[0], s[1], s[2], f[1]*s[3])
	}
	return x
}
