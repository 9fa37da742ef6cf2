package tensor

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
	gt "gorgonia.org/tensor"
)

// PyTorch checkpoints. torch.save (since 1.6) writes a zip archive with
// "<dir>/data.pkl", a pickle of the object whose tensors refer to storages by
// persistent ids ("storage", class, key, location, numel), and
// "<dir>/data/<key>", each storage's raw bytes. pytorch_legacy.go reads the
// older format.
//
// A pickle is a program: unpickling calls whatever global functions it
// names. Only the globals a state dict needs are resolved (allowedGlobal);
// any other is refused with ErrUnsafePickle before any object is built, and
// the tensors themselves are built here, not by gopickle.

// maxPickleBytes bounds data.pkl: a state dict's pickle takes a few hundred
// bytes per tensor.
const maxPickleBytes = 1 << 30

// ptStorageClass is what a "torch.FloatStorage"-style global resolves to.
type ptStorageClass struct {
	name       string
	dt         gt.Dtype // dtype of the resulting tensor
	size       int      // bytes per element in the file
	half, bf16 bool     // 16-bit floats, widened to float32
}

var ptStorageClasses = map[string]*ptStorageClass{
	"FloatStorage":    {name: "FloatStorage", dt: gt.Float32, size: 4},
	"DoubleStorage":   {name: "DoubleStorage", dt: gt.Float64, size: 8},
	"HalfStorage":     {name: "HalfStorage", dt: gt.Float32, size: 2, half: true},
	"BFloat16Storage": {name: "BFloat16Storage", dt: gt.Float32, size: 2, bf16: true},
	"LongStorage":     {name: "LongStorage", dt: gt.Int64, size: 8},
	"IntStorage":      {name: "IntStorage", dt: gt.Int32, size: 4},
	"ShortStorage":    {name: "ShortStorage", dt: gt.Int16, size: 2},
	"CharStorage":     {name: "CharStorage", dt: gt.Int8, size: 1},
	"ByteStorage":     {name: "ByteStorage", dt: gt.Uint8, size: 1},
	"BoolStorage":     {name: "BoolStorage", dt: gt.Bool, size: 1},
}

// ptStorage is one storage a pickle refers to (by persistent id).
type ptStorage struct {
	class  *ptStorageClass
	key    string
	numel  int
	uses   int    // tensors still to be built from it
	offset int64  // legacy format: where its bytes start in the file
	cache  []byte // file bytes, kept while several tensors share the storage
}

// ptTensor is what _rebuild_tensor_v2 returns: a strided view of a storage.
type ptTensor struct {
	st             *ptStorage
	offset         int
	shape, strides []int
}

// ptRebuild stands for one of torch._utils' rebuild functions.
type ptRebuild string

// storageRef validates a persistent id's storage fields and returns the
// storage, shared between all ids with the same key.
func storageRef(storages map[string]*ptStorage, tup *types.Tuple) (*ptStorage, error) {
	class, ok1 := tup.Get(1).(*ptStorageClass)
	key, ok2 := tup.Get(2).(string)
	_, ok3 := tup.Get(3).(string) // location, such as "cpu" or "cuda:0"
	numel, ok4 := tup.Get(4).(int)
	if !ok1 || !ok2 || !ok3 || !ok4 || numel < 0 {
		return nil, fmt.Errorf("malformed storage reference %s", pyShort(tup))
	}
	if st, ok := storages[key]; ok {
		if st.class != class || st.numel != numel {
			return nil, fmt.Errorf("storage %q is referenced with two types or sizes", key)
		}
		return st, nil
	}
	st := &ptStorage{class: class, key: key, numel: numel}
	storages[key] = st
	return st, nil
}

type ptEntry struct {
	key string
	t   *ptTensor
}

// dictItems returns the items of a pickled dict or OrderedDict in order.
func dictItems(obj any) (keys, vals []any, ok bool) {
	switch d := obj.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			ent := e.Value.(*types.OrderedDictEntry)
			keys, vals = append(keys, ent.Key), append(vals, ent.Value)
		}
		return keys, vals, true
	case *types.Dict:
		for _, ent := range *d {
			keys, vals = append(keys, ent.Key), append(vals, ent.Value)
		}
		return keys, vals, true
	}
	return nil, nil, false
}

// stateDictEntries finds the tensors in the unpickled object: a dict of
// tensors, or a checkpoint dict whose "state_dict" or "model" entry is one.
func stateDictEntries(obj any, name string) ([]ptEntry, error) {
	keys, vals, ok := dictItems(obj)
	if !ok {
		return nil, errorf(name, "the pickled object is a %s, not a state dict", pyTypeName(obj))
	}
	if bad := firstNonTensor(vals); bad >= 0 {
		ik, iv, found := checkpointStateDict(keys, vals)
		if !found {
			return nil, errorf(name, "entry %s is a Python %s, not a tensor (and there is no \"state_dict\" or \"model\" entry)",
				pyShort(keys[bad]), pyTypeName(vals[bad]))
		}
		keys, vals = ik, iv
	}
	out := make([]ptEntry, len(keys))
	for i, k := range keys {
		ks, ok := k.(string)
		if !ok {
			return nil, errorf(name, "state dict key %s is a Python %s, not a str", pyShort(k), pyTypeName(k))
		}
		t, ok := vals[i].(*ptTensor)
		if !ok {
			return nil, errorf(name, "entry %q is a Python %s, not a tensor", ks, pyTypeName(vals[i]))
		}
		out[i] = ptEntry{ks, t}
	}
	return out, nil
}

func firstNonTensor(vals []any) int {
	for i, v := range vals {
		if _, ok := v.(*ptTensor); !ok {
			return i
		}
	}
	return -1
}

// checkpointStateDict returns the items of the dict stored under
// "state_dict" or "model", the usual training-checkpoint layouts.
func checkpointStateDict(keys, vals []any) (k, v []any, ok bool) {
	for _, wrap := range []string{"state_dict", "model"} {
		for i, key := range keys {
			if key == wrap {
				if k, v, ok = dictItems(vals[i]); ok {
					return k, v, true
				}
			}
		}
	}
	return nil, nil, false
}

// storageSource opens a storage's bytes; trusted says the reader's size has
// been checked against the file.
type storageSource func(st *ptStorage) (r io.Reader, trusted bool, done func() error, err error)

// maxBroadcastBytes bounds a view that repeats storage elements (a stride of
// 0, as torch.expand makes): its size is not backed by file data.
const maxBroadcastBytes = 64 << 20

// buildTensors turns the pickled views into row-major tensors. A storage
// used by exactly one tensor that covers it contiguously (the usual case)
// is read straight into the tensor's memory; shared storages are read once
// and kept until their last tensor is built.
func buildTensors(entries []ptEntry, src storageSource, big bool, name string) (*StateDict, error) {
	for _, e := range entries {
		e.t.st.uses++
	}
	sd := NewStateDict()
	for _, e := range entries {
		if _, dup := sd.Get(e.key); dup {
			return nil, errorf(name, "tensor %q appears twice", e.key)
		}
		t, err := buildTensor(e.t, src, big)
		if err != nil {
			return nil, errorf(name, "tensor %q: %w", e.key, err)
		}
		sd.Set(e.key, t)
	}
	return sd, nil
}

func buildTensor(t *ptTensor, src storageSource, big bool) (*Dense, error) {
	st, c := t.st, t.st.class
	if !viewFits(t.offset, t.shape, t.strides, st.numel) {
		return nil, fmt.Errorf("view (offset %d, shape %v, strides %v) does not fit its %s of %d elements",
			t.offset, t.shape, t.strides, c.name, st.numel)
	}
	n, nbytes, ok := numelChecked(t.shape, 4, 1<<62)
	if !ok || (n > st.numel && nbytes > maxBroadcastBytes) {
		return nil, fmt.Errorf("shape %v repeats its %d storage elements into too large a tensor", t.shape, st.numel)
	}
	defer func() {
		if st.uses--; st.uses == 0 {
			st.cache = nil
		}
	}()
	direct := st.uses == 1 && st.cache == nil && t.offset == 0 && n == st.numel && isContiguous(t.shape, t.strides)
	if direct || st.cache == nil {
		r, trusted, done, err := src(st)
		if err != nil {
			return nil, err
		}
		nb := int64(st.numel) * int64(c.size)
		var backing any
		var raw []byte
		switch {
		case direct && (c.half || c.bf16):
			backing, err = readHalf(r, n, trusted, c.bf16, big)
		case direct:
			if backing, raw, err = readBacking(r, c.dt, n, nb, trusted); err == nil {
				fixBytes(raw, c.dt, c.size, big)
			}
		default:
			_, raw, err = readBacking(r, gt.Uint8, int(nb), nb, trusted)
		}
		if derr := done(); err == nil {
			err = derr
		}
		if err != nil {
			return nil, truncErr(err)
		}
		if direct {
			return newDense(t.shape, backing), nil
		}
		st.cache = raw
	}
	if c.half || c.bf16 {
		buf := make([]byte, n*c.size)
		gather(buf, st.cache, c.size, t.offset, t.shape, t.strides)
		out := make([]float32, n)
		widen16(out, buf, c.bf16, big)
		return newDense(t.shape, out), nil
	}
	backing, raw := allocBacking(c.dt, n)
	gather(raw, st.cache, c.size, t.offset, t.shape, t.strides)
	fixBytes(raw, c.dt, c.size, big)
	return newDense(t.shape, backing), nil
}

// LoadPyTorch reads a PyTorch state dict saved with torch.save: the zip
// format (torch >= 1.6) or the legacy format. The tensors come out in the
// dict's order, row-major (strided views are copied out), with their dtype:
// float32, float64, int64, int32, int16, int8, uint8 or bool; float16 and
// bfloat16 become float32. A checkpoint dict holding the state dict under
// "state_dict" or "model" is unwrapped. Only the Python globals needed to
// rebuild tensors are allowed (collections.OrderedDict, torch._utils'
// rebuild functions, torch.*Storage); anything else, such as os.system,
// fails with an error wrapping ErrUnsafePickle before any object is built.
func LoadPyTorch(path string) (*StateDict, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readPyTorch(f, size, path)
}

// ReadPyTorch reads a PyTorch checkpoint of the given size from r. See LoadPyTorch.
func ReadPyTorch(r io.ReaderAt, size int64) (*StateDict, error) {
	return readPyTorch(r, size, "pytorch")
}

func readPyTorch(r io.ReaderAt, size int64, name string) (*StateDict, error) {
	var head [8]byte
	if size < 8 {
		return nil, errorf(name, "file of %d bytes is too short for a PyTorch checkpoint", size)
	}
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, errorf(name, "%w", err)
	}
	if string(head[:4]) == "PK\x03\x04" {
		return readTorchZip(r, size, name)
	}
	var tar [5]byte
	if size > 262 {
		if _, err := r.ReadAt(tar[:], 257); err == nil && string(tar[:]) == "ustar" {
			return nil, errorf(name, "tar-format checkpoints (PyTorch < 0.4) are not supported")
		}
	}
	if head[0] != 0x80 {
		return nil, errorf(name, "not a PyTorch checkpoint (neither a zip archive nor a pickle)")
	}
	return readTorchLegacy(r, size, name)
}

func readTorchZip(r io.ReaderAt, size int64, name string) (*StateDict, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errorf(name, "bad zip archive: %w", err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	prefix := ""
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			return nil, errorf(name, "zip entry %q appears twice", f.Name)
		}
		files[f.Name] = f
		if dir, ok := strings.CutSuffix(f.Name, "/data.pkl"); ok && dir != "" && !strings.Contains(dir, "/") {
			if prefix != "" {
				return nil, errorf(name, "several data.pkl records")
			}
			prefix = dir + "/"
		}
	}
	if prefix == "" {
		return nil, errorf(name, "zip archive without a <dir>/data.pkl record: not a PyTorch checkpoint")
	}
	if err := checkInflate(zr.File, size, name); err != nil {
		return nil, err
	}
	if files[prefix+"constants.pkl"] != nil {
		return nil, errorf(name, "TorchScript archives are not supported; save model.state_dict() with torch.save")
	}
	big := false
	if bo := files[prefix+"byteorder"]; bo != nil {
		b, err := readSmallEntry(bo, 16)
		if err != nil || (b != "little" && b != "big") {
			return nil, errorf(name, "bad byteorder record %q", b)
		}
		big = b == "big"
	}
	pf := files[prefix+"data.pkl"]
	if pf.UncompressedSize64 > maxPickleBytes {
		return nil, errorf(name, "data.pkl of %d bytes is too large for a state dict", pf.UncompressedSize64)
	}
	rc, err := pf.Open()
	if err != nil {
		return nil, errorf(name, "data.pkl: %w", err)
	}
	br := bufio.NewReader(rc)
	data, err := scanPickle(br, int64(pf.UncompressedSize64), allowedGlobal)
	if err == nil {
		if expectEOF(br) != nil {
			err = fmt.Errorf("bytes after the pickle, or a corrupt record")
		}
	}
	rc.Close()
	if err != nil {
		return nil, errorf(name, "data.pkl: %w", err)
	}

	storages := map[string]*ptStorage{}
	obj, err := unpickle(data, name+": data.pkl", func(pid any) (any, error) {
		tup, ok := pid.(*types.Tuple)
		if !ok || tup.Len() != 5 || tup.Get(0) != "storage" {
			return nil, fmt.Errorf("unexpected persistent id %s", pyShort(pid))
		}
		return storageRef(storages, tup)
	})
	if err != nil {
		return nil, err
	}
	entries, err := stateDictEntries(obj, name)
	if err != nil {
		return nil, err
	}
	src := func(st *ptStorage) (io.Reader, bool, func() error, error) {
		f := files[prefix+"data/"+st.key]
		if f == nil {
			return nil, false, nil, fmt.Errorf("storage record data/%s is missing", st.key)
		}
		want := uint64(st.numel) * uint64(st.class.size)
		if f.UncompressedSize64 != want {
			return nil, false, nil, fmt.Errorf("storage record data/%s has %d bytes, its %d-element %s needs %d",
				st.key, f.UncompressedSize64, st.numel, st.class.name, want)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, false, nil, err
		}
		trusted := f.Method == zip.Store && f.UncompressedSize64 <= uint64(size)
		done := func() error {
			// The read past the end is what makes archive/zip check the CRC.
			err := expectEOF(rc)
			rc.Close()
			return err
		}
		return rc, trusted, done, nil
	}
	return buildTensors(entries, src, big, name)
}

// readSmallEntry returns the contents of a short zip record.
func readSmallEntry(f *zip.File, max int) (string, error) {
	if f.UncompressedSize64 > uint64(max) {
		return "", fmt.Errorf("record too large")
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(max)))
	return string(b), err
}
