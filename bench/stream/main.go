// Command stream measures decode/ridge's FitColumns, which reads the
// training betas from a .npy file in blocks of columns, against Fit on the
// same data loaded into memory: wall time and peak resident memory of each
// (run as separate processes by run.sh, so that each peak is its own).
//
//	go run ./bench/stream -dir D -n 2000 -p 100000 -d 128 -fit stream|memory
//
// The data (float32 betas, float64 targets; a linear map plus noise,
// seeded) are written to D on the first call, row block by row block, so
// that writing needs no more memory than a block either.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/internal/procmem"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func main() {
	dir := flag.String("dir", "", "folder for x.npy and y.npy (written when absent)")
	n := flag.Int("n", 2000, "trials")
	p := flag.Int("p", 100000, "voxels")
	d := flag.Int("d", 128, "latent dimensions")
	fit := flag.String("fit", "stream", "stream (FitColumns from disk) or memory (Fit on the loaded matrix)")
	flag.Parse()
	if err := run(*dir, *n, *p, *d, *fit); err != nil {
		fmt.Fprintln(os.Stderr, "stream:", err)
		os.Exit(1)
	}
}

func run(dir string, n, p, d int, fit string) error {
	if dir == "" || n < 3 || p < 1 || d < 1 {
		return fmt.Errorf("give -dir and positive sizes (-n at least 3)")
	}
	blas.Use()
	xPath, yPath := filepath.Join(dir, "x.npy"), filepath.Join(dir, "y.npy")
	if _, err := os.Stat(xPath); err != nil {
		if err := write(xPath, yPath, n, p, d); err != nil {
			return err
		}
	}
	yt, err := nt.LoadNPY(yPath)
	if err != nil {
		return err
	}
	y := mat.NewDense(n, d, nt.Data64(yt))
	cfg := ridge.Config{Alphas: ridge.LogSpace(-1, 6, 10), PerTarget: true}
	start := time.Now()
	var m *ridge.Model
	switch fit {
	case "stream":
		x, err := nt.OpenNPYMatrix(xPath)
		if err != nil {
			return err
		}
		defer x.Close()
		if m, err = ridge.FitColumns(x, y, cfg); err != nil {
			return err
		}
	case "memory":
		xt, err := nt.LoadNPY(xPath)
		if err != nil {
			return err
		}
		x := mat.NewDense(n, p, nil)
		raw := x.RawMatrix().Data
		for i, v := range nt.Data32(xt) {
			raw[i] = float64(v)
		}
		xt = nil
		if m, err = ridge.Fit(x, y, cfg); err != nil {
			return err
		}
	default:
		return fmt.Errorf("-fit %q: want stream or memory", fit)
	}
	secs := time.Since(start).Seconds()
	// A checksum of the model, to see that both fits agree.
	var sum float64
	for _, v := range m.Coef.RawMatrix().Data {
		sum += math.Abs(v)
	}
	fmt.Printf("%s\t%d\t%d\t%d\t%.1f\t%d\t%.12g\n", fit, n, p, d, secs, procmem.PeakMiB(), sum)
	return nil
}

// write makes x.npy (float32, n by p) and y.npy (float64, n by d): y is a
// sparse linear map of x plus noise.
func write(xPath, yPath string, n, p, d int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	f, err := os.Create(xPath)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := header(w, "<f4", n, p); err != nil {
		return err
	}
	y := make([]float64, n*d)
	row := make([]float32, p)
	for i := range n {
		for j := range row {
			row[j] = float32(rng.NormFloat64())
		}
		for k := range d {
			y[i*d+k] = float64(row[(k*7919)%p]) - 0.5*float64(row[(k*104729+1)%p]) + rng.NormFloat64()
		}
		if err := binary.Write(w, binary.LittleEndian, row); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return nt.SaveNPY(yPath, nt.New64(y, n, d))
}

// header writes a version 1.0 .npy header for a C-order 2-D array.
func header(w *bufio.Writer, descr string, n, p int) error {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", descr, n, p)
	pad := 64 - (10+len(dict)+1)%64
	dict += strings.Repeat(" ", pad%64) + "\n"
	if _, err := w.WriteString("\x93NUMPY\x01\x00"); err != nil {
		return err
	}
	if err := binary.Write(w, binary.LittleEndian, uint16(len(dict))); err != nil {
		return err
	}
	_, err := w.WriteString(dict)
	return err
}
