package tensor

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gt "gorgonia.org/tensor"
)

func TestLoadPyTorchFixtures(t *testing.T) {
	var keys []string
	if err := json.Unmarshal(expected(t, "pth/keys"), &keys); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"state.pth", "state_legacy.pt"} {
		sd, err := LoadPyTorch(fixture(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := strings.Join(sd.Keys(), ","); got != strings.Join(keys, ",") {
			t.Errorf("%s: keys %s, want %s", name, got, strings.Join(keys, ","))
		}
		for _, k := range sd.Keys() {
			v, _ := sd.Get(k)
			if v.IsMaterializable() {
				t.Errorf("%s: %s is a view", name, k)
			}
			checkExpected(t, "pth/"+k, v)
		}
	}
}

// Protocol 4 (torch.save(..., pickle_protocol=4)) names globals with
// STACK_GLOBAL and wraps opcodes in frames.
func TestLoadPyTorchProtocol4(t *testing.T) {
	sd, err := LoadPyTorch(fixture("state_proto4.pth"))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := sd.Get("w")
	if got := Data32(w); !w.Shape().Eq(gt.Shape{2, 6}) || got[0] != 0 || got[11] != 11 {
		t.Errorf("w %v %v", w.Shape(), got)
	}
	h, _ := sd.Get("h")
	checkExpected(t, "pth/half_t", h)
}

func TestLoadPyTorchCheckpointWrapper(t *testing.T) {
	sd, err := Load(fixture("checkpoint.pth"))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := sd.Get("w")
	b, _ := sd.Get("b")
	if sd.Len() != 2 || w == nil || b == nil || Data32(w)[1] != 2 || Data32(b)[0] != 0.5 {
		t.Errorf("unwrapped %v", sd)
	}
}

// Pickle building blocks (protocol 2 opcodes, as torch.save writes them).
func pkGlobal(module, name string) string { return "c" + module + "\n" + name + "\n" }

func pkStr(s string) string {
	return "X" + string(binary.LittleEndian.AppendUint32(nil, uint32(len(s)))) + s
}

func pkInt(i int) string {
	return "J" + string(binary.LittleEndian.AppendUint32(nil, uint32(int32(i))))
}

func pkInts(v ...int) string {
	s := "("
	for _, i := range v {
		s += pkInt(i)
	}
	return s + "t"
}

// pkStateDict pickles OrderedDict([(key, tensor)]) like torch.save: the
// tensor is a view (offset, shape, strides) of storage "0" of numel elements.
func pkStateDict(key, class string, numel, offset int, shape, strides []int) string {
	return pkStateDictV(key, class, numel, offset, shape, strides, "")
}

// pkStateDictV adds view metadata to the persistent id: legacy files carry
// a sixth element, None ("N").
func pkStateDictV(key, class string, numel, offset int, shape, strides []int, view string) string {
	return "\x80\x02" + pkGlobal("collections", "OrderedDict") + ")R(" + pkStr(key) +
		pkGlobal("torch._utils", "_rebuild_tensor_v2") + "((" + pkStr("storage") + pkGlobal("torch", class) +
		pkStr("0") + pkStr("cpu") + pkInt(numel) + view + "tQ" + pkInt(offset) + pkInts(shape...) + pkInts(strides...) +
		"\x89" + pkGlobal("collections", "OrderedDict") + ")Rt" + "Ru."
}

// torchZip packs records under "archive/" as torch.save does.
func torchZip(records ...string) []byte {
	var buf bytes.Buffer
	z := newZip(&buf)
	for i := 0; i+1 < len(records); i += 2 {
		z.add("archive/"+records[i], []byte(records[i+1]))
	}
	z.close()
	return buf.Bytes()
}

// legacyFile prefixes a pickle with the legacy format's magic number,
// protocol version and system info pickles.
func legacyFile(body string) []byte {
	magic := []byte{0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}
	s := "\x80\x02\x8a\x0a" + string(magic) + "."
	s += "\x80\x02M\xe9\x03."
	s += "\x80\x02}."
	return []byte(s + body)
}

func TestPyTorchRefusesHostilePickles(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "pwned")
	cmd := pkStr("touch " + marker)
	hostile := map[string]string{
		"os.system":        "\x80\x02" + pkGlobal("os", "system") + cmd + "\x85R.",
		"posix.system":     "\x80\x02" + pkGlobal("posix", "system") + cmd + "\x85R.",
		"builtins.eval":    "\x80\x02" + pkGlobal("builtins", "eval") + pkStr("print(1)") + "\x85R.",
		"__builtin__.eval": "\x80\x02" + pkGlobal("__builtin__", "eval") + pkStr("print(1)") + "\x85R.",
		"subprocess.Popen": "\x80\x02" + pkGlobal("subprocess", "Popen") + "(" + pkStr("touch") + pkStr(marker) + "l\x85R.",
		// gopickle maps builtins.list to a Go type before asking FindClass;
		// the opcode scan refuses it all the same.
		"builtins.list":    "\x80\x02" + pkGlobal("builtins", "list") + ")R.",
		"builtins.getattr": "\x80\x02" + pkGlobal("builtins", "getattr") + "(" + pkGlobal("os", "path") + pkStr("x") + "tR.",
		// INST builds an object from a class named inline.
		"os.system (INST)": "\x80\x02(" + cmd + "ios\nsystem\n.",
		// Protocol 4 names globals from the stack.
		"os.system (STACK_GLOBAL)": "\x80\x04\x8c\x02os\x8c\x06system\x93" + cmd + "\x85R.",
		// Hidden inside an otherwise plausible state dict.
		"nt.system": "\x80\x02" + pkGlobal("collections", "OrderedDict") + ")R(" + pkStr("w") +
			pkGlobal("nt", "system") + cmd + "\x85Ru.",
	}
	for name, body := range hostile {
		global := strings.Fields(name)[0]
		for _, file := range map[string][]byte{
			"zip":    torchZip("data.pkl", body, "version", "3\n"),
			"legacy": legacyFile(body),
		} {
			_, err := ReadPyTorch(bytes.NewReader(file), int64(len(file)))
			if !errors.Is(err, ErrUnsafePickle) {
				t.Errorf("%s: error %v does not wrap ErrUnsafePickle", name, err)
			}
			mustErr(t, err, global)
		}
		p := filepath.Join(t.TempDir(), "evil.pth")
		os.WriteFile(p, torchZip("data.pkl", body), 0o644)
		_, err := LoadPyTorch(p)
		mustErr(t, err, p, global, "not allowed")
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a hostile pickle ran a command")
	}
}

func TestPyTorchErrors(t *testing.T) {
	good := pkStateDict("w", "FloatStorage", 4, 0, []int{2, 2}, []int{2, 1})
	data16 := string(make([]byte, 16))
	cases := []struct {
		name string
		file []byte
		want []string
	}{
		{"garbage", []byte("hello world, not a checkpoint"), []string{"not a PyTorch checkpoint"}},
		{"short", []byte("PK"), []string{"too short"}},
		{"no data.pkl", torchZip("other", "x"), []string{"without a <dir>/data.pkl"}},
		{"torchscript", torchZip("data.pkl", good, "constants.pkl", "x"), []string{"TorchScript"}},
		{"missing storage", torchZip("data.pkl", good), []string{`tensor "w"`, "storage record data/0 is missing"}},
		{"storage size", torchZip("data.pkl", good, "data/0", string(make([]byte, 8))), []string{`tensor "w"`, "data/0 has 8 bytes, its 4-element FloatStorage needs 16"}},
		{"view outside", torchZip("data.pkl", pkStateDict("w", "FloatStorage", 4, 1, []int{2, 2}, []int{2, 1}), "data/0", data16),
			[]string{`tensor "w"`, "view (offset 1, shape [2 2], strides [2 1]) does not fit its FloatStorage of 4 elements"}},
		{"negative stride", torchZip("data.pkl", pkStateDict("w", "FloatStorage", 4, 3, []int{2}, []int{-1}), "data/0", data16), []string{"does not fit"}},
		{"huge broadcast", torchZip("data.pkl", pkStateDict("w", "FloatStorage", 1, 0, []int{1 << 20, 1 << 10}, []int{0, 0}), "data/0", "\x00\x00\x00\x00"),
			[]string{"repeats its 1 storage elements"}},
		{"unknown storage", torchZip("data.pkl", strings.Replace(good, "FloatStorage", "ComplexFloatStorage", 1)), []string{"torch.ComplexFloatStorage", "not allowed"}},
		{"not a dict", torchZip("data.pkl", "\x80\x02K\x05."), []string{"the pickled object is a int, not a state dict"}},
		{"non-tensor", torchZip("data.pkl", "\x80\x02}"+pkStr("a")+"K\x01s."), []string{`entry "a" is a Python int, not a tensor`}},
		{"non-str key", torchZip("data.pkl", strings.Replace(good, pkStr("w"), "K\x07", 1), "data/0", data16), []string{"state dict key 7 is a Python int"}},
		{"gopickle panic", torchZip("data.pkl", "\x80\x02\x8a\x00."), []string{"malformed pickle"}},
		{"unknown opcode", torchZip("data.pkl", "\x80\x02\xff."), []string{"unknown opcode 0xff"}},
		{"huge length", torchZip("data.pkl", "\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f."), []string{"exceeds"}},
		{"huge frame", torchZip("data.pkl", "\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\x7f."), []string{"exceeds"}},
		{"no stop", torchZip("data.pkl", "\x80\x02}"), []string{"truncated (no STOP opcode)"}},
		{"after stop", torchZip("data.pkl", "\x80\x02}.junk"), []string{"bytes after the pickle"}},
		{"persistent id", torchZip("data.pkl", "\x80\x02"+pkStr("x")+"Q."), []string{"unexpected persistent id"}},
		{"byteorder", torchZip("data.pkl", good, "byteorder", "middle"), []string{"bad byteorder"}},
		{"legacy bad magic", []byte("\x80\x02K\x05.\x80\x02K\x05."), []string{"bad magic number"}},
		{"legacy truncated", legacyFile(good)[:60], []string{"truncated"}},
		{"legacy no keys", legacyFile(pkStateDictV("w", "FloatStorage", 4, 0, []int{2, 2}, []int{2, 1}, "N")), []string{"storage keys"}},
		{"tar", append(append(make([]byte, 257), "ustar"...), make([]byte, 300)...), []string{"tar-format"}},
	}
	for _, c := range cases {
		_, err := ReadPyTorch(bytes.NewReader(c.file), int64(len(c.file)))
		mustErr(t, err, append([]string{"tensor: pytorch"}, c.want...)...)
	}
}

func TestPyTorchHandBuiltViews(t *testing.T) {
	// Storage 0..5 (float32); views with offsets and strides.
	st := make([]float32, 6)
	for i := range st {
		st[i] = float32(i)
	}
	data := string(asBytes(st))
	cases := []struct {
		offset         int
		shape, strides []int
	}{
		{0, []int{2, 3}, []int{3, 1}}, // contiguous, read in place
		{0, []int{3, 2}, []int{1, 3}}, // transposed
		{0, []int{2, 2}, []int{3, 2}}, // a step
		{1, []int{2, 2}, []int{3, 1}}, // an offset
		{4, nil, nil},                 // 0-d
		{2, []int{3}, []int{0}},       // expanded (stride 0)
		{0, []int{0, 3}, []int{3, 1}}, // empty
	}
	for _, c := range cases {
		want := make([]float32, 0)
		// Expected values straight from the definition of a strided view.
		n := Numel(c.shape)
		for i := range n {
			pos, rem := c.offset, i
			for ax := len(c.shape) - 1; ax >= 0; ax-- {
				pos += rem % c.shape[ax] * c.strides[ax]
				rem /= c.shape[ax]
			}
			want = append(want, st[pos])
		}
		f := torchZip("data.pkl", pkStateDict("v", "FloatStorage", 6, c.offset, c.shape, c.strides), "data/0", data)
		sd, err := ReadPyTorch(bytes.NewReader(f), int64(len(f)))
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		v, _ := sd.Get("v")
		got := Data32(v)
		if len(got) != len(want) || len(v.Shape()) != len(c.shape) {
			t.Fatalf("%v: %v", c, got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("offset %d shape %v strides %v: %v, want %v", c.offset, c.shape, c.strides, got, want)
				break
			}
		}
	}
}
