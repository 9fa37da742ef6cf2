// Command analogy evaluates word vectors on an analogy test set (the Google
// set, questions-words.txt) the way gensim's evaluate_word_analogies does,
// and answers single queries such as "queen - woman + man".
//
//	go run ./examples/analogy -vectors glove.6B.100d.txt -questions testdata/latent/questions-words.txt
//	go run ./examples/analogy -vectors glove.6B.100d.txt -query "queen - woman + man" -k 5
//
// Flags:
//
//	-vectors FILE      word vectors (required); .gz files are decompressed
//	-format F          glove (default), word2vec (text) or word2vec-bin
//	-questions FILE    analogy questions (": section" headers, 4 words per line)
//	-restrict N        use the N most frequent words, i.e. the first N of the
//	                   file (default 300000, gensim's default; 0: all)
//	-method M          add (3CosAdd, default) or mul (3CosMul)
//	-json              print one JSON object:
//	                   {"sections":[{"name","correct","total"}],"correct","total","accuracy","seconds"}
//	-query EXPR        print the words nearest to EXPR, words joined by + and -
//	                   separated by spaces ("queen - woman + man")
//	-k N               how many words -query prints (default 10)
//
// Evaluation: words are compared case-insensitively; a question with a word
// outside the first N words is skipped; the three question words are never
// answers; per-section and total correct/total/accuracy are printed with the
// wall time of the evaluation (the seconds exclude reading the files). See
// latent.Bank.Evaluate for the exact rules.
//
// The matrix products run on github.com/neurolatent/neurolatent/blas, which
// the command installs as gonum's BLAS.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	nlblas "github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/cuda"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/latent/wordvec"
)

func main() {
	nlblas.Use()
	cli.Exit("analogy", run(os.Args[1:], os.Stdout, os.Stderr))
}

// report is the -json output.
type report struct {
	Sections []sectionReport `json:"sections"`
	Correct  int             `json:"correct"`
	Total    int             `json:"total"`
	Accuracy float64         `json:"accuracy"`
	Seconds  float64         `json:"seconds"`
}

type sectionReport struct {
	Name    string `json:"name"`
	Correct int    `json:"correct"`
	Total   int    `json:"total"`
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analogy", flag.ContinueOnError)
	vectors := fs.String("vectors", "", "word-vector `file` (required)")
	format := fs.String("format", "glove", "vector file `format`: glove, word2vec or word2vec-bin")
	questions := fs.String("questions", "", "analogy questions `file`")
	restrict := fs.Int("restrict", 300000, "use the first `N` words of the file (0: all)")
	method := fs.String("method", "add", "`method`: add (3CosAdd) or mul (3CosMul)")
	asJSON := fs.Bool("json", false, "print the evaluation as one JSON object")
	query := fs.String("query", "", "print the words nearest to `EXPR`, e.g. \"queen - woman + man\"")
	k := fs.Int("k", 10, "number of words -query prints")
	gpu := fs.Bool("gpu", false, "scan the vectors on the GPU (3CosAdd evaluation and searches; needs a build with -tags gpu)")
	if err := cli.Parse(fs, args, analogyHelp, stdout); err != nil {
		return err
	}
	switch {
	case *vectors == "":
		return cli.Usagef("-vectors is required")
	case *questions == "" && *query == "":
		return cli.Usagef("give -questions FILE to evaluate or -query EXPR to search")
	case *restrict < 0:
		return cli.Usagef("-restrict %d: must be >= 0", *restrict)
	case *k <= 0:
		return cli.Usagef("-k %d: must be > 0", *k)
	}
	f, err := wordvec.ParseFormat(*format)
	if err != nil {
		return cli.Usage(err)
	}
	m, err := latent.ParseMethod(*method)
	if err != nil {
		return cli.Usage(err)
	}
	// Parse the cheap inputs before the vectors, so mistakes show at once.
	var sections []latent.Section
	if *questions != "" {
		if sections, err = latent.ReadQuestionsFile(*questions); err != nil {
			return err
		}
	}
	var pos, neg []string
	if *query != "" {
		if pos, neg, err = parseQuery(*query); err != nil {
			return err
		}
	}

	var acc *cuda.Searcher
	if *gpu {
		eng, err := cuda.New(cuda.Options{})
		if err != nil {
			return fmt.Errorf("-gpu: %w", err)
		}
		defer eng.Close()
		acc = cuda.NewSearcher(eng)
		defer acc.Close()
	}

	t0 := time.Now()
	emb, err := wordvec.ReadFile(*vectors, f, nil)
	if err != nil {
		return err
	}
	bank, err := emb.Bank()
	if err != nil {
		return err
	}
	if acc != nil {
		bank.SetAccelerator(acc)
	}
	loadTime := time.Since(t0)
	if !*asJSON {
		fmt.Fprintf(stdout, "vectors: %s: %d words x %d (read in %.2f s", *vectors, bank.Len(), bank.Dim(), loadTime.Seconds())
		if emb.Duplicates > 0 {
			fmt.Fprintf(stdout, "; %d repeated words dropped", emb.Duplicates)
		}
		fmt.Fprintln(stdout, ")")
	}

	if *query != "" {
		res, err := bank.MostSimilar(pos, neg, *k, &latent.WordOptions{Method: m, Restrict: *restrict, FoldCase: true})
		if err != nil {
			return err
		}
		if *asJSON {
			type hit struct {
				Word  string  `json:"word"`
				Score float32 `json:"score"`
			}
			hits := make([]hit, len(res))
			for i, r := range res {
				hits[i] = hit{r.Word, r.Score}
			}
			if err := writeJSON(stdout, map[string]any{"query": *query, "method": m.String(), "neighbors": hits}); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(stdout, "%s (%s%s):\n", *query, methodName(m), restrictNote(*restrict))
			for i, r := range res {
				fmt.Fprintf(stdout, "%3d  %-20s %.4f\n", i+1, r.Word, r.Score)
			}
		}
	}
	if sections == nil {
		return nil
	}

	t1 := time.Now()
	ev, err := bank.Evaluate(sections, &latent.EvalOptions{Method: m, Restrict: *restrict})
	if err != nil {
		return err
	}
	secs := time.Since(t1).Seconds()
	if *asJSON {
		rep := report{Correct: ev.Correct, Total: ev.Total, Accuracy: ev.Accuracy, Seconds: secs}
		for _, s := range ev.Sections {
			rep.Sections = append(rep.Sections, sectionReport{s.Name, s.Correct, s.Total})
		}
		return writeJSON(stdout, rep)
	}
	nq, invalid := 0, 0
	for _, s := range sections {
		nq += len(s.Questions)
		invalid += len(s.Invalid)
	}
	fmt.Fprintf(stdout, "questions: %s: %d in %d sections", *questions, nq, len(sections))
	if invalid > 0 {
		fmt.Fprintf(stdout, " (%d malformed lines skipped)", invalid)
	}
	fmt.Fprintf(stdout, "\nmethod: %s%s, case-insensitive\n\n", methodName(m), restrictNote(*restrict))
	w := len("Total accuracy")
	for _, s := range ev.Sections {
		w = max(w, len(s.Name))
	}
	fmt.Fprintf(stdout, "%-*s %8s %8s %9s %8s\n", w, "section", "correct", "total", "accuracy", "skipped")
	for _, s := range ev.Sections {
		fmt.Fprintf(stdout, "%-*s %8d %8d %9s %8d\n", w, s.Name, s.Correct, s.Total, pct(s.Correct, s.Total), s.Skipped)
	}
	fmt.Fprintf(stdout, "%-*s %8d %8d %9s %8d\n", w, "Total accuracy", ev.Correct, ev.Total, pct(ev.Correct, ev.Total), ev.Skipped)
	fmt.Fprintf(stdout, "\nevaluation: %.3f s (%d questions answered)\n", secs, ev.Total)
	return nil
}

func methodName(m latent.Method) string {
	if m == latent.CosMul {
		return "3CosMul"
	}
	return "3CosAdd"
}

func restrictNote(n int) string {
	if n == 0 {
		return ", all words"
	}
	return fmt.Sprintf(", first %d words", n)
}

func pct(c, t int) string {
	if t == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(c)/float64(t))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	return enc.Encode(v)
}

// parseQuery splits "queen - woman + man" into positive and negative words.
// Operators are separate tokens, so words may hold '-' ("self-made").
func parseQuery(s string) (pos, neg []string, err error) {
	sign := 0 // 0: no operator yet, +1 or -1 pending
	expectWord := true
	for _, tok := range strings.Fields(s) {
		switch tok {
		case "+", "-":
			if sign != 0 || (expectWord && len(pos)+len(neg) > 0) {
				return nil, nil, fmt.Errorf("-query %q: two operators in a row", s)
			}
			sign = 1
			if tok == "-" {
				sign = -1
			}
			expectWord = true
		default:
			if !expectWord {
				return nil, nil, fmt.Errorf("-query %q: missing + or - before %q (separate operators with spaces)", s, tok)
			}
			if sign < 0 {
				neg = append(neg, tok)
			} else {
				pos = append(pos, tok)
			}
			sign, expectWord = 0, false
		}
	}
	if expectWord {
		if len(pos)+len(neg) == 0 {
			return nil, nil, fmt.Errorf("-query %q: no words", s)
		}
		return nil, nil, fmt.Errorf("-query %q: ends with an operator", s)
	}
	if len(pos) == 0 {
		return nil, nil, fmt.Errorf("-query %q: needs at least one positive word", s)
	}
	return pos, neg, nil
}
