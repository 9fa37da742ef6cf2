package main

// The hostile files, and the well-formed twins the corrupt ones are made
// from. Decompression bombs come from internal/inflate/inflatetest (a
// flushed deflate block repeated), so one that inflates to gigabytes takes
// a second.

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/internal/inflate/inflatetest"
)

// npyHeader is a version 1.0 .npy header for a float64 array of shape.
func npyHeader(shape string) []byte {
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape)
	hlen := len(dict) + 1
	hlen += (64 - (10+hlen)%64) % 64
	b := []byte("\x93NUMPY\x01\x00\x00\x00")
	binary.LittleEndian.PutUint16(b[8:], uint16(hlen))
	b = append(b, dict...)
	b = append(b, strings.Repeat(" ", hlen-len(dict)-1)...)
	return append(b, '\n')
}

// npzBomb writes an .npz whose entries are deflated float64 arrays of n
// zeros each, named keys.
func npzBomb(path string, n int64, keys ...string) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, k := range keys {
		hdr := npyHeader(fmt.Sprintf("(%d,)", n))
		raw, crc, size := inflatetest.Deflate(hdr, nil, 8*n)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: k + ".npy", Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(size)})
		if err != nil {
			return err
		}
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// idxBomb writes a gzipped IDX uint8 image file [n, 28, 28] of zeros.
func idxBomb(path string, n int64) error {
	hdr := []byte{0, 0, 8, 3}
	for _, d := range []uint32{uint32(n), 28, 28} {
		hdr = binary.BigEndian.AppendUint32(hdr, d)
	}
	return os.WriteFile(path, inflatetest.Gzip(hdr, nil, n*28*28), 0o644)
}

// niftiBytes returns a small valid NIfTI-1 image (uncompressed) with the
// header's dims and datatype rewritten: the hostile headers.
func niftiHeader1(dims [8]int16, dt nifti.Datatype, voxOffset float32, data []byte) []byte {
	im, _ := nifti.NewImage(nifti.Uint8, 1, 1, 1)
	var buf bytes.Buffer
	nifti.Write(&buf, im)
	b := buf.Bytes()[:352]
	for i, d := range dims {
		binary.LittleEndian.PutUint16(b[40+2*i:], uint16(d))
	}
	binary.LittleEndian.PutUint16(b[70:], uint16(dt))
	binary.LittleEndian.PutUint16(b[72:], uint16(8*dt.Size()))
	binary.LittleEndian.PutUint32(b[108:], math.Float32bits(voxOffset))
	return append(bytes.Clone(b), data...)
}

func gzipBytes(b []byte, level int) []byte {
	var buf bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&buf, level)
	gw.Write(b)
	gw.Close()
	return buf.Bytes()
}

// run is a small valid 4D run and its events: the twin of the corrupt
// files, and the input of the cases that need a working one.
type runFiles struct {
	bold, events, eventsNoStim, eventsHuge string
	stored                                 []byte // the run as a stored (uncompressed) gzip
}

func writeRun(dir string) (*runFiles, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	const frames = 80
	im, err := nifti.NewImage(nifti.Float32, 6, 6, 4, frames)
	if err != nil {
		return nil, err
	}
	im.Header.Pixdim[4] = 2
	for i := range im.Data {
		im.Data[i] = 100 + rng.NormFloat64()
	}
	var raw bytes.Buffer
	if err := nifti.Write(&raw, im); err != nil {
		return nil, err
	}
	rf := &runFiles{bold: filepath.Join(dir, "run.nii.gz"), events: filepath.Join(dir, "run_events.tsv"),
		eventsNoStim: filepath.Join(dir, "nostim_events.tsv"), eventsHuge: filepath.Join(dir, "huge_events.tsv")}
	rf.stored = gzipBytes(raw.Bytes(), gzip.NoCompression)
	if err := os.WriteFile(rf.bold, rf.stored, 0o644); err != nil {
		return nil, err
	}
	var ev, noStim, huge strings.Builder
	ev.WriteString("onset\tduration\ttrial_type\tstim_file\n")
	noStim.WriteString("onset\tduration\ttrial_type\n")
	huge.WriteString("onset\tduration\ttrial_type\tstim_file\n")
	for k := 0; k < 12; k++ {
		on := 6 + 12*float64(k)
		fmt.Fprintf(&ev, "%g\t1\timage\tstimuli/img%02d.png\n", on, k)
		fmt.Fprintf(&noStim, "%g\t1\timage\n", on)
		d := "1"
		if k == 3 {
			d = "1e300"
		}
		fmt.Fprintf(&huge, "%g\t%s\timage\tstimuli/img%02d.png\n", on, d, k)
	}
	for p, s := range map[string]string{rf.events: ev.String(), rf.eventsNoStim: noStim.String(), rf.eventsHuge: huge.String()} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			return nil, err
		}
	}
	// The stimuli, under dir/stimuli.
	if err := os.MkdirAll(filepath.Join(dir, "stimuli"), 0o755); err != nil {
		return nil, err
	}
	for k := 0; k < 12; k++ {
		img := image.NewGray(image.Rect(0, 0, 8, 8))
		for i := range img.Pix {
			img.Pix[i] = uint8(rng.IntN(256))
		}
		img.Set(0, 0, color.Gray{Y: uint8(k)})
		var b bytes.Buffer
		png.Encode(&b, img)
		if err := os.WriteFile(filepath.Join(dir, "stimuli", fmt.Sprintf("img%02d.png", k)), b.Bytes(), 0o644); err != nil {
			return nil, err
		}
	}
	return rf, nil
}

// writeNPY writes a float64 array.
func writeNPY(path string, shape []int, vals []float64) error {
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = fmt.Sprint(s)
	}
	sh := "(" + strings.Join(parts, ", ") + ")"
	if len(shape) == 1 {
		sh = "(" + parts[0] + ",)"
	}
	b := npyHeader(sh)
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return os.WriteFile(path, b, 0o644)
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
