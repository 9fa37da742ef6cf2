// Command latent-bench is the Go side of bench/latent/run.sh: the analogy
// evaluation on GloVe (per-section counts, per-question status and wall
// time) and batched exact k-NN queries on a random bank. It prints one JSON
// object per line; bench/latent/compare.py puts them side by side with
// gensim and numpy.
//
//	go run ./bench/latent -glove bench/latent/data/glove.6B.100d.txt -questions testdata/latent/questions-words.txt
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	nlblas "github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/latent/wordvec"
)

func main() {
	glove := flag.String("glove", "", "GloVe text file (skip the analogy benchmark when empty)")
	questions := flag.String("questions", "testdata/latent/questions-words.txt", "analogy questions")
	restricts := flag.String("restrict", "30000,300000", "comma-separated restrict values")
	methods := flag.String("methods", "add", "comma-separated methods (add, mul)")
	reps := flag.Int("reps", 5, "repetitions per timing (the median is reported)")
	knnN := flag.Int("knn-n", 1000000, "k-NN bank rows (0: skip)")
	knnD := flag.Int("knn-d", 128, "k-NN dimensions")
	knnQ := flag.Int("knn-q", 1000, "k-NN queries per batch")
	knnK := flag.Int("knn-k", 10, "k-NN k")
	knnOut := flag.String("knn-out", "", "write the k-NN bank and queries as raw float32 to this prefix (.bank.f32, .queries.f32) for numpy")
	gonum := flag.Bool("gonum", false, "use gonum's pure-Go BLAS instead of package blas")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile")
	flag.Parse()

	blasName := "gonum"
	if !*gonum {
		nlblas.Use()
		blasName = "neurolatent/blas (" + nlblas.Path() + ")"
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	emit := func(v map[string]any) {
		v["blas"] = blasName
		v["gomaxprocs"] = runtime.GOMAXPROCS(0)
		b, err := json.Marshal(v)
		check(err)
		fmt.Println(string(b))
	}

	if *glove != "" {
		t0 := time.Now()
		emb, err := wordvec.ReadFile(*glove, wordvec.GloVe, nil)
		check(err)
		load := time.Since(t0).Seconds()
		secs, err := latent.ReadQuestionsFile(*questions)
		check(err)
		for _, ms := range strings.Split(*methods, ",") {
			m, err := latent.ParseMethod(ms)
			check(err)
			for _, rs := range strings.Split(*restricts, ",") {
				r, err := strconv.Atoi(rs)
				check(err)
				var times []float64
				var ev *latent.Evaluation
				for i := 0; i < *reps; i++ {
					// A fresh bank each time: the norms, the unit copy and
					// the case-folded index are part of the evaluation, as
					// gensim's first evaluation computes its norms.
					bank, err := emb.Bank()
					check(err)
					runtime.GC()
					t := time.Now()
					ev, err = bank.Evaluate(secs, &latent.EvalOptions{Method: m, Restrict: r})
					check(err)
					times = append(times, time.Since(t).Seconds())
				}
				var sections []map[string]any
				var status strings.Builder
				for si, s := range ev.Sections {
					sections = append(sections, map[string]any{"name": s.Name, "correct": s.Correct, "total": s.Total})
					for _, q := range ev.Results[si] {
						switch {
						case q.Skipped:
						case q.Correct:
							status.WriteByte('C')
						default:
							status.WriteByte('I')
						}
					}
				}
				emit(map[string]any{
					"bench": "analogy", "method": m.String(), "restrict": r, "words": emb.Vectors.N,
					"load_seconds": load, "seconds": median(times), "times": times,
					"sections": sections, "correct": ev.Correct, "total": ev.Total, "status": status.String(),
				})
			}
		}
	}

	if *knnN > 0 {
		rng := rand.New(rand.NewPCG(1, 2))
		bank := latent.NewVectors(*knnN, *knnD)
		for i := range bank.Data {
			bank.Data[i] = float32(rng.NormFloat64())
		}
		q := latent.NewVectors(*knnQ, *knnD)
		for i := range q.Data {
			q.Data[i] = float32(rng.NormFloat64())
		}
		if *knnOut != "" {
			writeF32(*knnOut+".bank.f32", bank.Data)
			writeF32(*knnOut+".queries.f32", q.Data)
		}
		b, err := latent.NewBank(bank, nil)
		check(err)
		// Warm up: the unit copy is made once per bank, outside the timing
		// (numpy's side normalises its bank before timing too).
		_, err = b.Search(latent.Vectors{N: 1, D: *knnD, Data: q.Row(0)}, *knnK, nil)
		check(err)
		var times []float64
		var res [][]latent.Neighbor
		for i := 0; i < *reps; i++ {
			t := time.Now()
			res, err = b.Search(q, *knnK, nil)
			check(err)
			times = append(times, time.Since(t).Seconds())
		}
		// The first query's neighbours, for the cross-check with numpy.
		first := make([]int, len(res[0]))
		for i, n := range res[0] {
			first[i] = n.Index
		}
		var last []int
		for _, n := range res[len(res)-1] {
			last = append(last, n.Index)
		}
		med := median(times)
		emit(map[string]any{
			"bench": "knn", "n": *knnN, "d": *knnD, "queries": *knnQ, "k": *knnK, "metric": "cosine",
			"seconds": med, "times": times, "qps": float64(*knnQ) / med, "first": first, "last": last,
		})
	}
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func writeF32(path string, x []float32) {
	f, err := os.Create(path)
	check(err)
	buf := make([]byte, 0, 1<<20)
	for _, v := range x {
		u := math.Float32bits(v)
		buf = append(buf, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
		if len(buf) >= 1<<20 {
			_, err = f.Write(buf)
			check(err)
			buf = buf[:0]
		}
	}
	_, err = f.Write(buf)
	check(err)
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "latent-bench:", err)
		os.Exit(1)
	}
}
