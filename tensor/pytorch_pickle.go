package tensor

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// The restricted unpickler: gopickle runs the pickle opcodes, but every
// global it resolves goes through findGlobal, and the rebuild functions it
// calls are this package's (ptRebuild), which only record views of storages.

// findGlobal resolves the globals a state dict needs and refuses all others.
func findGlobal(module, name string) (any, error) {
	switch module + "." + name {
	case "collections.OrderedDict":
		return &types.OrderedDictClass{}, nil
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
		"torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		return ptRebuild(name), nil
	}
	if c, ok := ptStorageClasses[name]; ok && module == "torch" {
		return c, nil
	}
	return nil, fmt.Errorf("%w: %s.%s (only tensor-rebuilding globals are resolved)", ErrUnsafePickle, module, name)
}

func allowedGlobal(module, name string) bool {
	_, err := findGlobal(module, name)
	return err == nil
}

// Call builds a ptTensor (or unwraps a Parameter) from pickled arguments.
func (f ptRebuild) Call(args ...any) (any, error) {
	switch f {
	case "_rebuild_parameter", "_rebuild_parameter_with_state":
		// (data, requires_grad, backward_hooks[, state]): the data is the tensor.
		if len(args) < 3 {
			return nil, fmt.Errorf("%s: %d arguments", f, len(args))
		}
		t, ok := args[0].(*ptTensor)
		if !ok {
			return nil, fmt.Errorf("%s: data is a %s, not a tensor", f, pyTypeName(args[0]))
		}
		return t, nil
	}
	// _rebuild_tensor(storage, offset, size, stride) and _rebuild_tensor_v2
	// with requires_grad, backward_hooks and, since torch 2, metadata.
	if len(args) < 4 || (f == "_rebuild_tensor_v2" && len(args) != 6 && len(args) != 7) {
		return nil, fmt.Errorf("%s: %d arguments", f, len(args))
	}
	st, ok := args[0].(*ptStorage)
	if !ok {
		return nil, fmt.Errorf("%s: storage is a %s", f, pyTypeName(args[0]))
	}
	off, ok1 := args[1].(int)
	shape, ok2 := intTuple(args[2])
	strides, ok3 := intTuple(args[3])
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("%s: offset, size and stride must be ints", f)
	}
	return &ptTensor{st: st, offset: off, shape: shape, strides: strides}, nil
}

func intTuple(v any) ([]int, bool) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, false
	}
	out := make([]int, t.Len())
	for i := range out {
		if out[i], ok = t.Get(i).(int); !ok {
			return nil, false
		}
	}
	return out, true
}

// pyTypeName names a decoded pickle value the way Python would.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case string:
		return "str"
	case *types.Dict, *types.OrderedDict:
		return "dict"
	case *types.List:
		return "list"
	case *types.Tuple:
		return "tuple"
	case *ptTensor:
		return "tensor"
	case *ptStorage:
		return "storage"
	}
	return fmt.Sprintf("%T", v)
}

// pyShort describes a decoded pickle value for an error message: scalars by
// value, containers by type only (they may be huge or refer to themselves).
func pyShort(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 64 {
			v = v[:64] + "..."
		}
		return strconv.Quote(v)
	case int, bool, float64:
		return fmt.Sprint(v)
	case *types.Tuple:
		parts := make([]string, 0, v.Len())
		for i := range min(v.Len(), 6) {
			p := pyTypeName(v.Get(i))
			if s, ok := v.Get(i).(string); ok {
				p = pyShort(s)
			}
			parts = append(parts, p)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return pyTypeName(v)
}

// unpickle runs gopickle on a scanned pickle. gopickle panics on some
// malformed input (an empty LONG1, an unhashable dict key), so panics are
// turned into errors here.
func unpickle(data []byte, name string, persistent func(any) (any, error)) (obj any, err error) {
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, errorf(name, "malformed pickle: %v", r)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = findGlobal
	u.PersistentLoad = persistent
	if persistent == nil {
		u.PersistentLoad = func(any) (any, error) { return nil, fmt.Errorf("unexpected persistent id") }
	}
	obj, err = u.Load()
	if err != nil {
		return nil, errorf(name, "pickle: %w", err)
	}
	return obj, nil
}
