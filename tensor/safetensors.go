package tensor

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"unicode/utf8"

	gt "gorgonia.org/tensor"
)

// The safetensors format: an 8-byte little-endian header length N, N bytes
// of JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
// "__metadata__": {"k": "v"}}, then the byte buffer; offsets are relative
// to the buffer, data is little-endian and row-major. The buffer must be
// covered exactly by the tensors, with no gaps or overlaps.

// stMaxHeader is the reference implementation's header size limit.
const stMaxHeader = 100_000_000

type stType struct {
	dt         gt.Dtype
	size       int
	half, bf16 bool // 16-bit floats, widened to float32
	rank       int  // position in the reference's dtype order, for writing
}

var stTypes = map[string]stType{
	"BOOL": {dt: gt.Bool, size: 1, rank: 0},
	"U8":   {dt: gt.Uint8, size: 1, rank: 1},
	"I8":   {dt: gt.Int8, size: 1, rank: 2},
	"I16":  {dt: gt.Int16, size: 2, rank: 5},
	"U16":  {dt: gt.Uint16, size: 2, rank: 6},
	"F16":  {dt: gt.Float32, size: 2, half: true, rank: 7},
	"BF16": {dt: gt.Float32, size: 2, bf16: true, rank: 8},
	"I32":  {dt: gt.Int32, size: 4, rank: 9},
	"U32":  {dt: gt.Uint32, size: 4, rank: 10},
	"F32":  {dt: gt.Float32, size: 4, rank: 11},
	"F64":  {dt: gt.Float64, size: 8, rank: 12},
	"I64":  {dt: gt.Int64, size: 8, rank: 13},
	"U64":  {dt: gt.Uint64, size: 8, rank: 14},
}

// stName is the safetensors dtype written for a tensor dtype.
func stName(dt gt.Dtype) (string, bool) {
	for name, st := range stTypes {
		if st.dt == dt && !st.half && !st.bf16 {
			return name, true
		}
	}
	return "", false
}

type stEntry struct {
	key        string
	typ        stType
	dtype      string
	shape      []int
	n          int
	begin, end int64
}

// LoadSafetensors reads the safetensors file at path. Tensors keep the
// header's order; F16 and BF16 become float32; sd.Metadata holds
// "__metadata__". Each tensor is read straight from the file into its own
// memory, so loading needs little more memory than the tensors themselves.
func LoadSafetensors(path string) (*StateDict, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readSafetensors(f, size, path)
}

// ReadSafetensors reads safetensors data of the given size from r.
func ReadSafetensors(r io.ReaderAt, size int64) (*StateDict, error) {
	return readSafetensors(r, size, "safetensors")
}

func readSafetensors(r io.ReaderAt, size int64, name string) (*StateDict, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, errorf(name, "file of %d bytes is too short for a safetensors header", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, errorf(name, "%w", truncErr(err))
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen > stMaxHeader || hlen > uint64(size-8) {
		return nil, errorf(name, "header length %d does not fit the %d-byte file", hlen, size)
	}
	hdr := make([]byte, hlen)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, errorf(name, "%w", truncErr(err))
	}
	bufStart := 8 + int64(hlen)
	bufLen := size - bufStart
	entries, meta, err := parseSTHeader(hdr, bufLen, name)
	if err != nil {
		return nil, err
	}
	sd := NewStateDict()
	for k, v := range meta {
		sd.Metadata[k] = v
	}
	for _, e := range entries {
		sec := io.NewSectionReader(r, bufStart+e.begin, e.end-e.begin)
		var backing any
		if e.typ.half || e.typ.bf16 {
			out, err := readHalf(sec, e.n, true, e.typ.bf16, false)
			if err != nil {
				return nil, errorf(name, "tensor %q: %w", e.key, truncErr(err))
			}
			backing = out
		} else {
			b, raw, err := readBacking(sec, e.typ.dt, e.n, e.end-e.begin, true)
			if err != nil {
				return nil, errorf(name, "tensor %q: %w", e.key, truncErr(err))
			}
			fixBytes(raw, e.typ.dt, e.typ.size, false)
			backing = b
		}
		sd.Set(e.key, newDense(e.shape, backing))
	}
	return sd, nil
}

// parseSTHeader decodes and validates the JSON header against a byte buffer
// of bufLen bytes. Entries come back in the header's order.
func parseSTHeader(hdr []byte, bufLen int64, name string) ([]stEntry, map[string]string, error) {
	if !utf8.Valid(hdr) {
		return nil, nil, errorf(name, "header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errorf(name, "header is not a JSON object")
	}
	var entries []stEntry
	var meta map[string]string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, errorf(name, "header JSON: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, errorf(name, "header JSON: unexpected %v", tok)
		}
		if seen[key] {
			return nil, nil, errorf(name, "tensor %q appears twice in the header", key)
		}
		seen[key] = true
		if key == "__metadata__" {
			if err := dec.Decode(&meta); err != nil {
				return nil, nil, errorf(name, "__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var info struct {
			Dtype       *string       `json:"dtype"`
			Shape       []json.Number `json:"shape"`
			DataOffsets []json.Number `json:"data_offsets"`
		}
		if err := dec.Decode(&info); err != nil {
			return nil, nil, errorf(name, "tensor %q: bad header entry: %w", key, err)
		}
		e, err := checkSTEntry(key, info.Dtype, info.Shape, info.DataOffsets, bufLen)
		if err != nil {
			return nil, nil, errorf(name, "tensor %q: %w", key, err)
		}
		entries = append(entries, e)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, nil, errorf(name, "header JSON is not terminated")
	}
	// Only the space padding the reference writer adds may follow.
	if rest := bytes.TrimLeft(hdr[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, nil, errorf(name, "unexpected bytes after the header JSON")
	}
	if err := checkSTLayout(entries, bufLen); err != nil {
		return nil, nil, errorf(name, "%w", err)
	}
	return entries, meta, nil
}

func checkSTEntry(key string, dtype *string, shape, offs []json.Number, bufLen int64) (stEntry, error) {
	e := stEntry{key: key}
	if dtype == nil {
		return e, fmt.Errorf("no dtype")
	}
	typ, ok := stTypes[*dtype]
	if !ok {
		return e, fmt.Errorf("unsupported dtype %q", *dtype)
	}
	e.typ, e.dtype = typ, *dtype
	if shape == nil {
		return e, fmt.Errorf("no shape")
	}
	e.shape = make([]int, len(shape))
	for i, s := range shape {
		d, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || d < 0 || int64(int(d)) != d {
			return e, fmt.Errorf("bad shape %v", shape)
		}
		e.shape[i] = int(d)
	}
	if len(offs) != 2 {
		return e, fmt.Errorf("data_offsets must be two numbers, got %v", offs)
	}
	for i, o := range offs {
		v, err := strconv.ParseInt(string(o), 10, 64)
		if err != nil || v < 0 {
			return e, fmt.Errorf("bad data_offsets %v", offs)
		}
		if i == 0 {
			e.begin = v
		} else {
			e.end = v
		}
	}
	if e.begin > e.end || e.end > bufLen {
		return e, fmt.Errorf("data_offsets [%d %d) outside the %d-byte data buffer", e.begin, e.end, bufLen)
	}
	// No allocation depends on this size before it has matched the offsets,
	// which lie inside the buffer; the bound only rules out overflow.
	n, nbytes, ok := numelChecked(e.shape, typ.size, 1<<62)
	if !ok {
		return e, fmt.Errorf("shape %v of %s overflows", e.shape, e.dtype)
	}
	if nbytes != e.end-e.begin {
		return e, fmt.Errorf("data_offsets [%d %d) hold %d bytes but shape %v of %s needs %d",
			e.begin, e.end, e.end-e.begin, e.shape, e.dtype, nbytes)
	}
	e.n = n
	return e, nil
}

// checkSTLayout checks that the tensors tile the data buffer exactly, as the
// format requires: no overlap (two names for the same bytes), no gap, no
// unused tail.
func checkSTLayout(entries []stEntry, bufLen int64) error {
	sorted := append([]stEntry(nil), entries...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].begin != sorted[j].begin {
			return sorted[i].begin < sorted[j].begin
		}
		return sorted[i].end < sorted[j].end
	})
	pos := int64(0)
	prev := ""
	for _, e := range sorted {
		switch {
		case e.begin < pos:
			return fmt.Errorf("tensor %q: data_offsets [%d %d) overlap tensor %q", e.key, e.begin, e.end, prev)
		case e.begin > pos:
			return fmt.Errorf("tensor %q: data_offsets [%d %d) leave a gap of %d bytes before it", e.key, e.begin, e.end, e.begin-pos)
		}
		pos, prev = e.end, e.key
	}
	if pos != bufLen {
		return fmt.Errorf("tensors cover %d bytes but the data buffer has %d", pos, bufLen)
	}
	return nil
}

// SaveSafetensors writes sd to path as safetensors, atomically (temporary
// file, fsync, rename). Tensors are laid out as the reference writer lays
// them out (by dtype, widest first, then by name), with sd.Metadata as
// "__metadata__" when it is not empty, so the same dict gives the same bytes.
func SaveSafetensors(path string, sd *StateDict) error {
	return writeAtomic(path, func(w io.Writer) error { return writeSafetensors(w, sd, path) })
}

// WriteSafetensors writes sd to w in safetensors format. See SaveSafetensors.
func WriteSafetensors(w io.Writer, sd *StateDict) error {
	return writeSafetensors(w, sd, "safetensors")
}

func writeSafetensors(w io.Writer, sd *StateDict, name string) error {
	type item struct {
		key, dtype string
		rank       int
		t          *Dense
	}
	items := make([]item, 0, sd.Len())
	for _, k := range sd.Keys() {
		if k == "__metadata__" {
			return errorf(name, "a tensor cannot be named __metadata__")
		}
		t, _ := sd.Get(k)
		dn, ok := stName(t.Dtype())
		if !ok {
			return errorf(name, "tensor %q: cannot write a %v tensor", k, t.Dtype())
		}
		items = append(items, item{k, dn, stTypes[dn].rank, rowMajor(t)})
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].rank != items[j].rank {
			return items[i].rank > items[j].rank
		}
		return items[i].key < items[j].key
	})

	var h bytes.Buffer
	h.WriteByte('{')
	if len(sd.Metadata) > 0 {
		keys := make([]string, 0, len(sd.Metadata))
		for k := range sd.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h.WriteString(`"__metadata__":{`)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			fmt.Fprintf(&h, "%s:%s", jsonString(k), jsonString(sd.Metadata[k]))
		}
		h.WriteByte('}')
	}
	off := int64(0)
	for i, it := range items {
		if i > 0 || len(sd.Metadata) > 0 {
			h.WriteByte(',')
		}
		nbytes := int64(Numel(it.t.Shape()) * elemSize(it.t.Dtype()))
		fmt.Fprintf(&h, `%s:{"dtype":"%s","shape":[`, jsonString(it.key), it.dtype)
		for j, d := range it.t.Shape() {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, off, off+nbytes)
		off += nbytes
	}
	h.WriteByte('}')
	// Pad with spaces so the data starts 8-byte aligned.
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(h.Len()))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return errorf(name, "%w", err)
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return errorf(name, "%w", err)
	}
	for _, it := range items {
		raw := it.t.Raw[:Numel(it.t.Shape())*elemSize(it.t.Dtype())]
		if hostBigEndian {
			raw = append([]byte(nil), raw...)
			swapBytes(raw, elemSize(it.t.Dtype()))
		}
		if _, err := w.Write(raw); err != nil {
			return errorf(name, "tensor %q: %w", it.key, err)
		}
	}
	return nil
}

// jsonString quotes s as JSON without Go's HTML escaping, as serde writes it.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}
