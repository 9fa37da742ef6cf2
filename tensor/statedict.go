package tensor

import (
	"fmt"
	"sort"

	gt "gorgonia.org/tensor"
)

// Dense is the host tensor used throughout neurolatent: a
// gorgonia.org/tensor dense tensor in row-major (C) order. Models hold
// float32 tensors; statistics use float64. A Dense is safe for concurrent
// reads; writing its data or shape must not overlap any other use.
type Dense = gt.Dense

// StateDict is an ordered map from parameter names (PyTorch's dotted keys
// such as "blocks.0.0.conv1.weight") to host tensors. Order is insertion
// order, so a state dict read from a file keeps the file's order. Get, Keys
// and Len may be called from several goroutines at once; Set and Delete must
// not overlap any other use.
type StateDict struct {
	keys []string
	m    map[string]*Dense
	// Metadata carries free-form string metadata (safetensors "__metadata__").
	Metadata map[string]string
}

// NewStateDict returns an empty state dict.
func NewStateDict() *StateDict {
	return &StateDict{m: map[string]*Dense{}, Metadata: map[string]string{}}
}

// Set stores t under name, appending name to the key order if it is new.
func (s *StateDict) Set(name string, t *Dense) {
	if s.m == nil {
		s.m = map[string]*Dense{}
	}
	if _, ok := s.m[name]; !ok {
		s.keys = append(s.keys, name)
	}
	s.m[name] = t
}

// Get returns the tensor stored under name.
func (s *StateDict) Get(name string) (*Dense, bool) {
	t, ok := s.m[name]
	return t, ok
}

// Delete removes name; it is a no-op when name is absent.
func (s *StateDict) Delete(name string) {
	if _, ok := s.m[name]; !ok {
		return
	}
	delete(s.m, name)
	for i, k := range s.keys {
		if k == name {
			s.keys = append(s.keys[:i], s.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the names in insertion order. The slice is a copy.
func (s *StateDict) Keys() []string { return append([]string(nil), s.keys...) }

// SortedKeys returns the names in lexical order.
func (s *StateDict) SortedKeys() []string {
	k := s.Keys()
	sort.Strings(k)
	return k
}

// Len is the number of entries.
func (s *StateDict) Len() int { return len(s.keys) }

// String summarises the dict as "name dtype shape" lines.
func (s *StateDict) String() string {
	out := ""
	for _, k := range s.keys {
		t := s.m[k]
		out += fmt.Sprintf("%s %v %v\n", k, t.Dtype(), t.Shape())
	}
	return out
}
