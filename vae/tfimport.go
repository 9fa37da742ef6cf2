package vae

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// TensorFlow checkpoint import.
//
// The published model (VanRullen & Reddy 2019) is a TensorFlow 1 graph
// whose variables are named by scope: encoder/layer1/conv2d/W [3,3,in,out],
// encoder/layer1/bn/{beta,gamma}, the batch norm's moving averages
// (ExponentialMovingAverage shadows of the moments' mean and variance,
// named .../bn/<scope>/moments/Squeeze/ExponentialMovingAverage and
// .../Squeeze_1/...), encoder/fc/W [in,out], encoder/variational/mu/W,
// encoder/variational/log_sigma/W, generator/fc/W and
// generator/layer1/deconv2d/W [3,3,out,in]. A user holding the checkpoint
// converts it to .npz once (numpy.savez with the variable names as keys)
// and imports it here.

// ImportTF builds the published model from TensorFlow-named tensors (in
// TensorFlow layout: NHWC convolution filters, [in,out] linears). The
// discriminator is not part of the published checkpoint and keeps fresh
// weights. Every expected name is checked; all problems come back in one
// error.
func ImportTF(sd *nt.StateDict, c Config) (*VAEGAN, error) {
	m, err := NewModel(c, 0)
	if err != nil {
		return nil, err
	}
	out := nt.NewStateDict()
	var problems []string
	used := map[string]bool{}
	get := func(name string) *tensor.Dense {
		t, ok := sd.Get(name)
		if !ok {
			problems = append(problems, "missing "+name)
			return nil
		}
		used[name] = true
		return t
	}
	// find returns the one key with the given prefix and suffix (the
	// moving averages' full names repeat the scope).
	find := func(prefix, suffix string) *tensor.Dense {
		var hits []string
		for _, k := range sd.Keys() {
			if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, suffix) {
				hits = append(hits, k)
			}
		}
		if len(hits) != 1 {
			problems = append(problems, fmt.Sprintf("%d keys match %s*%s (want 1)", len(hits), prefix, suffix))
			return nil
		}
		return get(hits[0])
	}
	put := func(key string, t *tensor.Dense, perm ...int) {
		if t == nil {
			return
		}
		f, err := nt.ToFloat32(t)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", key, err))
			return
		}
		if len(perm) > 0 {
			if f, err = permute(f, perm); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", key, err))
				return
			}
		}
		out.Set(key, f)
	}
	bn := func(tf, key string) {
		put(key+".weight", get(tf+"/gamma"))
		put(key+".bias", get(tf+"/beta"))
		put(key+".running_mean", find(tf+"/", "moments/Squeeze/ExponentialMovingAverage"))
		put(key+".running_var", find(tf+"/", "moments/Squeeze_1/ExponentialMovingAverage"))
		out.Set(key+".num_batches_tracked", tensor.New(tensor.WithShape(), tensor.WithBacking([]int64{0})))
	}
	for i := range m.Encoder.Layers {
		tf := fmt.Sprintf("encoder/layer%d", i+1)
		key := fmt.Sprintf("encoder.layers.%d", i)
		put(key+".conv.weight", get(tf+"/conv2d/W"), 3, 2, 0, 1) // [kh,kw,in,out] -> [out,in,kh,kw]
		put(key+".conv.bias", get(tf+"/conv2d/b"))
		bn(tf+"/bn", key+".bn")
	}
	for _, l := range []struct{ tf, key string }{
		{"encoder/fc", "encoder.fc"}, {"encoder/variational/mu", "encoder.mu"},
		{"encoder/variational/log_sigma", "encoder.log_sigma"}, {"generator/fc", "generator.fc"},
	} {
		put(l.key+".weight", get(l.tf+"/W"), 1, 0) // [in,out] -> [out,in]
		put(l.key+".bias", get(l.tf+"/b"))
	}
	for i, l := range m.Generator.Layers {
		tf := fmt.Sprintf("generator/layer%d", i+1)
		key := fmt.Sprintf("generator.layers.%d", i)
		put(key+".deconv.weight", get(tf+"/deconv2d/W"), 3, 2, 0, 1) // [kh,kw,out,in] -> [in,out,kh,kw]
		put(key+".deconv.bias", get(tf+"/deconv2d/b"))
		if l.BN != nil {
			bn(tf+"/bn", key+".bn")
		}
	}
	for _, k := range sd.Keys() {
		// Optimizer slots, the global step and other bookkeeping are
		// expected in a training checkpoint; any other unused tensor of
		// the two networks is a mismatch.
		if !used[k] && (strings.HasPrefix(k, "encoder/") || strings.HasPrefix(k, "generator/")) &&
			!strings.Contains(k, "Adam") && !strings.Contains(k, "RMSProp") {
			problems = append(problems, "unexpected "+k)
		}
	}
	for _, np := range nn.Params(m.Discriminator) {
		out.Set("discriminator."+np.Name, np.Param.Value)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("vae: TensorFlow checkpoint does not fit the %dpx model: %s", c.Size, strings.Join(problems, "; "))
	}
	if err := nn.LoadStateDict(m, out); err != nil {
		return nil, fmt.Errorf("vae: TensorFlow checkpoint: %w", err)
	}
	return wrap(m, c, 0), nil
}

// permute transposes a float32 tensor.
func permute(t *tensor.Dense, perm []int) (*tensor.Dense, error) {
	s := []int(t.Shape())
	if len(s) != len(perm) {
		return nil, fmt.Errorf("shape %v for permutation %v", s, perm)
	}
	outShape := make([]int, len(s))
	for i, p := range perm {
		outShape[i] = s[p]
	}
	src := nt.Data32(t)
	dst := make([]float32, len(src))
	strides := make([]int, len(s))
	st := 1
	for i := len(s) - 1; i >= 0; i-- {
		strides[i] = st
		st *= s[i]
	}
	idx := make([]int, len(s))
	for o := range dst {
		off := 0
		for i, p := range perm {
			off += idx[i] * strides[p]
		}
		dst[o] = src[off]
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < outShape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return nt.New32(dst, slices.Clone(outShape)...), nil
}

// ImportTFFile reads a TensorFlow checkpoint converted to .npz (keys are
// the variable names) and imports it as ImportTF does.
func ImportTFFile(path string, c Config) (*VAEGAN, error) {
	sd, err := nt.LoadNPZ(path)
	if err != nil {
		return nil, err
	}
	v, err := ImportTF(sd, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}
