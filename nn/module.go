package nn

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// Models are plain structs. A field holding a *Param, a layer (struct or
// pointer to struct) or a slice of layers is part of the state dict when it
// carries an `nn:"key"` tag; nested keys are joined with dots and slice
// elements are numbered, giving PyTorch's names ("blocks.0.0.conv1.weight").
// Untagged embedded structs are inlined; `nn:"-"` and untagged fields are
// skipped; nil pointers are absent (an optional bias, a block without
// attention).

// NamedParam is a parameter with its state-dict key. It shares its Param
// with the model: see Param about concurrency.
type NamedParam struct {
	Name  string
	Param *Param
}

var paramType = reflect.TypeOf((*Param)(nil))

// Params lists every parameter and buffer of model in field order.
func Params(model any) []NamedParam {
	var out []NamedParam
	walk(reflect.ValueOf(model), "", &out)
	return out
}

// Trainable lists the trainable parameters of model in field order.
func Trainable(model any) []*Param {
	var out []*Param
	for _, np := range Params(model) {
		if np.Param.Trainable {
			out = append(out, np.Param)
		}
	}
	return out
}

// NumParams counts the elements of model's trainable parameters and of its
// buffers.
func NumParams(model any) (params, buffers int) {
	for _, np := range Params(model) {
		n := nt.Numel(np.Param.Shape())
		if np.Param.Trainable {
			params += n
		} else {
			buffers += n
		}
	}
	return params, buffers
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	if name == "" {
		return prefix
	}
	return prefix + "." + name
}

func walk(v reflect.Value, prefix string, out *[]NamedParam) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		if v.Type() == paramType {
			*out = append(*out, NamedParam{prefix, v.Interface().(*Param)})
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			tag, tagged := f.Tag.Lookup("nn")
			name, _, _ := strings.Cut(tag, ",")
			switch {
			case name == "-":
				continue
			case !tagged && f.Anonymous:
				walk(v.Field(i), prefix, out)
			case tagged && f.IsExported():
				walk(v.Field(i), join(prefix, name), out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), join(prefix, strconv.Itoa(i)), out)
		}
	}
}

// StateDict returns model's parameters and buffers under their keys. The
// tensors are shared with the model, not copied.
func StateDict(model any) *nt.StateDict {
	sd := nt.NewStateDict()
	for _, np := range Params(model) {
		if np.Param.Value != nil {
			sd.Set(np.Name, np.Param.Value)
		}
	}
	return sd
}

// ShapeMismatch is one entry of a LoadError. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type ShapeMismatch struct {
	Key       string
	Want, Got []int
}

// LoadError reports every problem found while loading a state dict. It is a
// plain value: safe for concurrent use as long as no goroutine modifies it.
type LoadError struct {
	Missing    []string        // keys the model needs that the file lacks
	Unexpected []string        // keys in the file the model does not have
	Mismatched []ShapeMismatch // keys whose shapes differ
	Invalid    []string        // keys whose values cannot be converted
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("nn: state dict does not fit the model:")
	list := func(what string, keys []string) {
		if len(keys) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n  %d %s: %s", len(keys), what, strings.Join(keys, ", "))
	}
	list("missing keys", e.Missing)
	list("unexpected keys", e.Unexpected)
	if len(e.Mismatched) > 0 {
		fmt.Fprintf(&b, "\n  %d shape mismatches:", len(e.Mismatched))
		for _, m := range e.Mismatched {
			fmt.Fprintf(&b, " %s (model %v, file %v);", m.Key, m.Want, m.Got)
		}
	}
	list("unconvertible values", e.Invalid)
	return b.String()
}

// LoadOption adjusts LoadStateDict. A plain value, safe for concurrent use.
type LoadOption func(*loadConfig)

type loadConfig struct {
	ignore func(key string) bool
}

// IgnoreUnexpected makes LoadStateDict accept extra keys for which keep
// returns true (for example PyTorch's num_batches_tracked).
func IgnoreUnexpected(keep func(key string) bool) LoadOption {
	return func(c *loadConfig) { c.ignore = keep }
}

// LoadStateDict sets model's parameters from sd, converting the element
// type to the parameter's (float32 by default). Where no conversion is
// needed the parameter takes sd's tensor itself, without a copy (a 282 MB
// checkpoint costs 282 MB), so sd must not be modified afterwards. It checks
// everything before changing anything, so a state dict that does not fit
// leaves the model untouched and returns a *LoadError listing every missing
// key, unexpected key and shape mismatch at once. A parameter whose Value is
// nil takes the file's shape.
func LoadStateDict(model any, sd *nt.StateDict, opts ...LoadOption) error {
	params, converted, err := prepareLoad(model, sd, opts)
	if err != nil {
		return err
	}
	for i, np := range params {
		np.Param.Value = converted[i]
	}
	return nil
}

// CheckStateDict reports whether LoadStateDict would succeed, without
// changing the model.
func CheckStateDict(model any, sd *nt.StateDict, opts ...LoadOption) error {
	_, _, err := prepareLoad(model, sd, opts)
	return err
}

func prepareLoad(model any, sd *nt.StateDict, opts []LoadOption) ([]NamedParam, []*tensor.Dense, error) {
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	params := Params(model)
	var le LoadError
	seen := map[string]bool{}
	converted := make([]*tensor.Dense, len(params))
	for i, np := range params {
		if seen[np.Name] {
			return nil, nil, fmt.Errorf("nn: model has two parameters named %q", np.Name)
		}
		seen[np.Name] = true
		t, ok := sd.Get(np.Name)
		if !ok {
			le.Missing = append(le.Missing, np.Name)
			continue
		}
		if want := np.Param.Shape(); want != nil && !slices.Equal(want, t.Shape()) {
			le.Mismatched = append(le.Mismatched, ShapeMismatch{np.Name, slices.Clone(want), slices.Clone([]int(t.Shape()))})
			continue
		}
		dt := tensor.Float32
		if np.Param.Value != nil {
			dt = np.Param.Value.Dtype()
		}
		c, err := convert(t, dt)
		if err != nil {
			le.Invalid = append(le.Invalid, fmt.Sprintf("%s (%v)", np.Name, err))
			continue
		}
		converted[i] = c
	}
	for _, k := range sd.Keys() {
		if !seen[k] && (cfg.ignore == nil || !cfg.ignore(k)) {
			le.Unexpected = append(le.Unexpected, k)
		}
	}
	if len(le.Missing)+len(le.Unexpected)+len(le.Mismatched)+len(le.Invalid) > 0 {
		return nil, nil, &le
	}
	return params, converted, nil
}

// convert returns a tensor of dtype dt holding t's values; it may return t
// itself when no conversion is needed.
func convert(t *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	if t.Dtype() == dt {
		return t, nil
	}
	switch dt {
	case tensor.Float32:
		return nt.ToFloat32(t)
	case tensor.Float64:
		return nt.ToFloat64(t)
	case tensor.Int64:
		if t.Dtype() == tensor.Int32 {
			src := t.Data().([]int32)
			d := make([]int64, len(src))
			for i, v := range src {
				d[i] = int64(v)
			}
			return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(d)), nil
		}
	}
	return nil, fmt.Errorf("cannot convert %v to %v", t.Dtype(), dt)
}

// Cast converts every floating-point parameter of model to dt (Float32 or
// Float64) in place, dropping gradients.
func Cast(model any, dt tensor.Dtype) error {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("nn: cast to %v: only float32 and float64 are supported", dt)
	}
	var errs []error
	for _, np := range Params(model) {
		v := np.Param.Value
		if v == nil || (v.Dtype() != tensor.Float32 && v.Dtype() != tensor.Float64) {
			continue
		}
		c, err := convert(v, dt)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", np.Name, err))
			continue
		}
		np.Param.Value, np.Param.Grad = c, nil
	}
	return errors.Join(errs...)
}

// visit calls fn on every pointer-to-struct layer reachable from model
// through tagged, inlined or slice fields (model itself included).
func visit(model any, fn func(any)) {
	var rec func(v reflect.Value)
	rec = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || v.Type() == paramType {
				return
			}
			if v.Elem().Kind() == reflect.Struct {
				fn(v.Interface())
			}
			rec(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				rec(v.Elem())
			}
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				tag, tagged := f.Tag.Lookup("nn")
				if tag == "-" || !f.IsExported() || (!tagged && !f.Anonymous) {
					continue
				}
				fv := v.Field(i)
				if f.Anonymous && fv.CanAddr() && fv.Kind() == reflect.Struct {
					fn(fv.Addr().Interface())
				}
				rec(fv)
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				rec(v.Index(i))
			}
		}
	}
	rec(reflect.ValueOf(model))
}
