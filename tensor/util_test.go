package tensor

import (
	"archive/zip"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	gt "gorgonia.org/tensor"
)

// fixture is the path of a file written by scripts/golden/make_tensor_fixtures.py.
func fixture(name string) string { return filepath.Join("..", "testdata", "tensor", name) }

type expectation struct {
	Dtype  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Values []any  `json:"values"`
}

var (
	expOnce sync.Once
	expAll  map[string]json.RawMessage
)

// expected returns the raw JSON Python stored under key in expected.json.
func expected(t testing.TB, key string) json.RawMessage {
	t.Helper()
	expOnce.Do(func() {
		b, err := os.ReadFile(fixture("expected.json"))
		if err == nil {
			err = json.Unmarshal(b, &expAll)
		}
		if err != nil {
			panic(err)
		}
	})
	raw, ok := expAll[key]
	if !ok {
		t.Fatalf("expected.json has no %q", key)
	}
	return raw
}

// goDtype maps numpy, torch, safetensors and IDX dtype names to the dtype the
// loaders produce (16-bit floats become float32).
func goDtype(name string) gt.Dtype {
	switch strings.ToLower(name) {
	case "float32", "f32", "float16", "f16", "bfloat16", "bf16":
		return gt.Float32
	case "float64", "f64":
		return gt.Float64
	case "int64", "i64":
		return gt.Int64
	case "int32", "i32":
		return gt.Int32
	case "int16", "i16":
		return gt.Int16
	case "int8", "i8":
		return gt.Int8
	case "uint8", "u8":
		return gt.Uint8
	case "bool":
		return gt.Bool
	}
	panic("unknown dtype " + name)
}

// checkExpected compares got with what Python stored under key: dtype,
// shape and every value exactly (all conversions involved are exact).
func checkExpected(t *testing.T, key string, got *Dense) {
	t.Helper()
	var e expectation
	if err := json.Unmarshal(expected(t, key), &e); err != nil {
		t.Fatal(err)
	}
	if want := goDtype(e.Dtype); got.Dtype() != want {
		t.Errorf("%s: dtype %v, want %v", key, got.Dtype(), want)
	}
	if !got.Shape().Eq(gt.Shape(e.Shape)) && !(len(e.Shape) == 0 && len(got.Shape()) == 0) {
		t.Errorf("%s: shape %v, want %v", key, got.Shape(), e.Shape)
		return
	}
	f, err := ToFloat64(got)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	vals := f.Float64s()
	if len(vals) != len(e.Values) {
		t.Fatalf("%s: %d values, want %d", key, len(vals), len(e.Values))
	}
	for i, w := range e.Values {
		want := jsonValue(w)
		if vals[i] != want && !(math.IsNaN(want) && math.IsNaN(vals[i])) {
			t.Errorf("%s[%d] = %v, want %v", key, i, vals[i], want)
		}
	}
}

func jsonValue(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case string:
		switch v {
		case "inf":
			return math.Inf(1)
		case "-inf":
			return math.Inf(-1)
		case "nan":
			return math.NaN()
		}
	}
	panic("bad expected value")
}

// mustErr fails unless err is non-nil and its message contains every part.
func mustErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// testZip builds zip archives for tests (stored entries, like torch.save).
type testZip struct{ w *zip.Writer }

func newZip(w io.Writer) *testZip { return &testZip{zip.NewWriter(w)} }

func (z *testZip) add(name string, data []byte) {
	w, err := z.w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		panic(err)
	}
	w.Write(data)
}

func (z *testZip) close() {
	if err := z.w.Close(); err != nil {
		panic(err)
	}
}
