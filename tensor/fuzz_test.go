package tensor

import (
	"bytes"
	"os"
	"testing"
)

// Fuzz targets for every reader: none may panic, and whatever they return
// must be a consistent tensor. Run one with, for example,
//
//	go test ./tensor -run XXX -fuzz FuzzSafetensors -fuzztime 60s -fuzzminimizetime 2s
//
// (the default minimisation budget of 60 s per new input, spent on the
// multi-kilobyte seed files, would otherwise eat most of a short run).
// Crashers found so far live in testdata/fuzz/<Target>/ and run as seeds.

// addSeeds adds each fixture, plus a truncated copy and a copy with one
// byte flipped, to the corpus.
func addSeeds(f *testing.F, files ...[]byte) {
	for _, b := range files {
		f.Add(b)
		f.Add(b[:len(b)/2])
		c := bytes.Clone(b)
		if len(c) > 12 {
			c[len(c)/3] ^= 0xff
			f.Add(c)
		}
	}
}

func readFixtures(f *testing.F, names ...string) [][]byte {
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(fixture(n))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checkDense fails if a returned tensor's memory does not match its shape.
func checkDense(t *testing.T, d *Dense) {
	if d == nil {
		t.Fatal("nil tensor without an error")
	}
	want := Numel(d.Shape()) * elemSize(d.Dtype())
	if len(d.Raw) != want {
		t.Fatalf("tensor %v %v has %d bytes, want %d", d.Dtype(), d.Shape(), len(d.Raw), want)
	}
}

func checkStateDict(t *testing.T, sd *StateDict) {
	for _, k := range sd.Keys() {
		d, _ := sd.Get(k)
		checkDense(t, d)
	}
}

func FuzzNPY(f *testing.F) {
	addSeeds(f, readFixtures(f, npyFixtures...)...)
	f.Add(npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1, 2), }", make([]byte, 32)))
	f.Add(npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", make([]byte, 6)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := ReadNPY(bytes.NewReader(data)); err == nil {
			checkDense(t, d)
		}
		// As a file: the known size takes the direct-read path.
		if d, err := readNPY(bytes.NewReader(data), int64(len(data)), true, "f.npy"); err == nil {
			checkDense(t, d)
		}
	})
}

func FuzzNPZ(f *testing.F) {
	addSeeds(f, readFixtures(f, "plain.npz", "compressed.npz")...)
	f.Fuzz(func(t *testing.T, data []byte) {
		if sd, err := ReadNPZ(bytes.NewReader(data), int64(len(data))); err == nil {
			checkStateDict(t, sd)
		}
	})
}

func FuzzSafetensors(f *testing.F) {
	addSeeds(f, readFixtures(f, "all.safetensors", "native.safetensors")...)
	f.Add(stFile(`{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if sd, err := ReadSafetensors(bytes.NewReader(data), int64(len(data))); err == nil {
			checkStateDict(t, sd)
		}
	})
}

func FuzzPyTorch(f *testing.F) {
	addSeeds(f, readFixtures(f, "state.pth", "state_legacy.pt", "checkpoint.pth")...)
	f.Fuzz(func(t *testing.T, data []byte) {
		if sd, err := ReadPyTorch(bytes.NewReader(data), int64(len(data))); err == nil {
			checkStateDict(t, sd)
		}
	})
}

// FuzzPickle mutates the pickle alone, wrapped in a valid zip with a 64-byte
// storage "0", so the fuzzer need not rediscover the zip format; the same
// bytes also go through the legacy reader.
func FuzzPickle(f *testing.F) {
	for _, strides := range [][]int{{2, 1}, {1, 2}, {0, 1}} {
		f.Add([]byte(pkStateDict("w", "FloatStorage", 16, 1, []int{2, 2}, strides)))
	}
	f.Add([]byte(pkStateDict("h", "HalfStorage", 32, 3, []int{4, 2}, []int{1, 4})))
	f.Add([]byte("\x80\x02" + pkGlobal("os", "system") + pkStr("true") + "\x85R."))
	f.Add([]byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93."))
	// A dict keyed by a list that contains itself through a tuple.
	f.Add([]byte("\x80\x02}]q\x00h\x00\x85aK\x01s."))
	storage := string(make([]byte, 64))
	f.Fuzz(func(t *testing.T, pkl []byte) {
		file := torchZip("data.pkl", string(pkl), "data/0", storage)
		if sd, err := ReadPyTorch(bytes.NewReader(file), int64(len(file))); err == nil {
			checkStateDict(t, sd)
		}
		file = legacyFile(string(pkl))
		if sd, err := ReadPyTorch(bytes.NewReader(file), int64(len(file))); err == nil {
			checkStateDict(t, sd)
		}
	})
}

func FuzzIDX(f *testing.F) {
	files := readFixtures(f, fashionLabels, "i8.idx", "i16.idx", "i32.idx", "f32.idx", "f64.idx")
	addSeeds(f, files...)
	f.Add(gz(files[2]))
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := ReadIDX(bytes.NewReader(data)); err == nil {
			checkDense(t, d)
		}
		if d, err := readIDX(bytes.NewReader(data), int64(len(data)), -1, "f.idx"); err == nil {
			checkDense(t, d)
		}
	})
}
