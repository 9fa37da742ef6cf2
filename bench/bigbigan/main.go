// Command bigbigan-bench is the Go side of bench/bigbigan/run.sh: it loads
// a full-width BigBiGAN generator checkpoint (the .pth written by
// torch_bigbigan.py save), reporting the memory the load takes, and times
// the generator's forward pass. It prints one JSON line.
//
//	go run ./bench/bigbigan -weights /tmp/g96.pth -reps 5 -batch 1
//
// Memory: the Go heap is sampled every 5 ms during the load (peak of
// runtime.MemStats.HeapAlloc) and read after a GC once loaded (live);
// VmHWM from /proc/self/status is the process's peak resident memory.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/neurolatent/neurolatent/bigbigan"
	nlblas "github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/gan"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func procMB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return -1
}

const mb = 1 << 20

// sampler records the peak heap while running.
type sampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func sample() *sampler {
	s := &sampler{stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			s.peak = max(s.peak, ms.HeapAlloc)
			select {
			case <-s.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return s
}

func (s *sampler) end() float64 {
	close(s.stop)
	s.done.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(max(s.peak, ms.HeapAlloc)) / mb
}

func main() {
	weights := flag.String("weights", "", "full-width generator checkpoint (.pth, .safetensors or .npz)")
	reps := flag.Int("reps", 5, "timed forward passes (the median is reported)")
	batch := flag.Int("batch", 1, "batch size")
	gonum := flag.Bool("gonum", false, "use gonum's pure-Go BLAS instead of package blas")
	mode := flag.String("mode", "auto", "inference mode: auto (the loader's choice), default (one cached graph) or low-memory (stage by stage)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed passes")
	check := flag.String("check", "", "folder with z.npy and PyTorch's out.npy (torch_bigbigan.py time ... DIR): report the largest difference")
	flag.Parse()
	if *weights == "" || *reps < 1 || *batch < 1 {
		fmt.Fprintln(os.Stderr, "usage: bigbigan-bench -weights FILE [-reps N] [-batch N]")
		os.Exit(2)
	}
	blasName := "gonum"
	if !*gonum {
		nlblas.Use()
		blasName = "neurolatent/blas (" + nlblas.Path() + ")"
	}
	st, err := os.Stat(*weights)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := float64(ms.HeapAlloc) / mb

	s := sample()
	t0 := time.Now()
	g, err := bigbigan.LoadGenerator(*weights)
	loadS := time.Since(t0).Seconds()
	loadPeak := s.end()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	live := float64(ms.HeapAlloc) / mb
	hwmLoad := procMB("VmHWM")

	switch *mode {
	case "default":
		g.LowMemory = false
	case "low-memory":
		g.LowMemory = true
	case "auto":
	default:
		fmt.Fprintln(os.Stderr, "-mode: want auto, default or low-memory")
		os.Exit(2)
	}
	z := gan.Noise(rand.New(rand.NewPCG(1, 2)), *batch, g.Config().Latent())
	// The first run (which builds the graph) is sampled for the peak heap;
	// the timed runs are not (VmHWM covers them all).
	s = sample()
	if _, err := g.Generate(z); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runPeak := s.end()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var times []float64
	var mean float64
	for range *reps {
		t := time.Now()
		out, err := g.Generate(z)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		times = append(times, time.Since(t).Seconds())
		mean = 0
		for _, v := range out.Float32s() {
			mean += float64(v)
		}
		mean /= float64(len(out.Float32s()))
	}
	maxErr := -1.0
	if *check != "" {
		z, err := nt.LoadNPY(filepath.Join(*check, "z.npy"))
		if err == nil {
			var ref, out *nt.Dense
			if ref, err = nt.LoadNPY(filepath.Join(*check, "out.npy")); err == nil {
				out, err = g.Generate(z)
			}
			if err == nil {
				maxErr = 0
				for i, v := range out.Float32s() {
					maxErr = max(maxErr, math.Abs(float64(v)-float64(ref.Float32s()[i])))
				}
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "check:", err)
			os.Exit(1)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	res := map[string]any{
		"what": "forward", "batch": *batch, "low_memory": g.LowMemory, "gomaxprocs": runtime.GOMAXPROCS(0), "blas": blasName,
		"file_mb": float64(st.Size()) / mb, "load_seconds": loadS,
		"heap_base_mb": base, "heap_peak_load_mb": loadPeak, "heap_live_after_load_mb": live,
		"peak_rss_after_load_mb": hwmLoad,
		"heap_peak_run_mb":       runPeak,
		"heap_live_after_run_mb": float64(ms.HeapAlloc) / mb,
		"peak_rss_mb":            procMB("VmHWM"),
		"seconds":                sorted[len(sorted)/2],
		"all":                    times,
		"out_mean":               mean,
		"config":                 g.Config().String(),
		"max_abs_err_vs_torch":   maxErr,
	}
	js, _ := json.Marshal(res)
	fmt.Println(string(js))
}
