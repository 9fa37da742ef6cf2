package latent_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/latent/wordvec"
)

// The golden values come from gensim 4.2 (scripts/golden/latent_analogy.py)
// on a GloVe 6B 100d subset of 1,202 words.
var testdata = filepath.Join("..", "testdata", "latent")

type golden struct {
	Words       int                 `json:"words"`
	Dim         int                 `json:"dim"`
	First       []string            `json:"first"`
	Last        string              `json:"last"`
	Vectors     map[string][]uint32 `json:"vectors"`
	Evaluations []struct {
		Restrict int    `json:"restrict"`
		Method   string `json:"method"`
		Sections []struct {
			Name    string `json:"name"`
			Correct int    `json:"correct"`
			Total   int    `json:"total"`
			Status  string `json:"status"`
		} `json:"sections"`
	} `json:"evaluations"`
	MostSimilar []struct {
		Positive []string `json:"positive"`
		Negative []string `json:"negative"`
		Restrict int      `json:"restrict"`
		Method   string   `json:"method"`
		Result   [][2]any `json:"result"`
	} `json:"most_similar"`
}

var (
	goldenOnce sync.Once
	gold       golden
	subsetBank *latent.Bank
	subsetEmb  *wordvec.Embeddings
	goldenErr  error
)

func loadGolden(t *testing.T) (*golden, *latent.Bank) {
	t.Helper()
	goldenOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(testdata, "latent_golden.json"))
		if err != nil {
			goldenErr = err
			return
		}
		if goldenErr = json.Unmarshal(b, &gold); goldenErr != nil {
			return
		}
		subsetEmb, goldenErr = wordvec.ReadFile(filepath.Join(testdata, "glove-subset.txt.gz"), wordvec.GloVe, nil)
		if goldenErr != nil {
			return
		}
		subsetBank, goldenErr = subsetEmb.Bank()
	})
	if goldenErr != nil {
		t.Fatal(goldenErr)
	}
	return &gold, subsetBank
}

func TestGoldenVectors(t *testing.T) {
	g, b := loadGolden(t)
	if b.Len() != g.Words || b.Dim() != g.Dim {
		t.Fatalf("subset: %d x %d, gensim %d x %d", b.Len(), b.Dim(), g.Words, g.Dim)
	}
	for i, w := range g.First {
		if b.Word(i) != w {
			t.Errorf("word %d = %q, gensim %q", i, b.Word(i), w)
		}
	}
	if b.Word(b.Len()-1) != g.Last {
		t.Errorf("last word %q, gensim %q", b.Word(b.Len()-1), g.Last)
	}
	for w, bits := range g.Vectors {
		i, ok := b.Index(w)
		if !ok {
			t.Fatalf("%q missing", w)
		}
		for j, x := range b.Vector(i) {
			if math.Float32bits(x) != bits[j] {
				t.Fatalf("%q[%d] = %v, gensim %v", w, j, x, math.Float32frombits(bits[j]))
			}
		}
	}
}

func TestGoldenEvaluate(t *testing.T) {
	g, b := loadGolden(t)
	sections, err := latent.ReadQuestionsFile(filepath.Join(testdata, "questions-words.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range g.Evaluations {
		m, err := latent.ParseMethod(e.Method)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := b.Evaluate(sections, &latent.EvalOptions{Method: m, Restrict: e.Restrict})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Sections) != len(e.Sections) {
			t.Fatalf("%d sections, gensim %d", len(ev.Sections), len(e.Sections))
		}
		for si, s := range e.Sections {
			got := ev.Sections[si]
			var status strings.Builder
			for _, r := range ev.Results[si] {
				switch {
				case r.Skipped:
				case r.Correct:
					status.WriteByte('C')
				default:
					status.WriteByte('I')
				}
			}
			if got.Name != s.Name || got.Correct != s.Correct || got.Total != s.Total || status.String() != s.Status {
				t.Errorf("restrict %d %s, %s: %d/%d, gensim %s %d/%d", e.Restrict, e.Method, got.Name, got.Correct, got.Total, s.Name, s.Correct, s.Total)
				for qi := range s.Status {
					if qi < status.Len() && s.Status[qi] != status.String()[qi] {
						t.Logf("  question %d differs", qi)
					}
				}
			}
		}
	}
}

func TestGoldenMostSimilar(t *testing.T) {
	g, b := loadGolden(t)
	for _, q := range g.MostSimilar {
		m, _ := latent.ParseMethod(q.Method)
		res, err := b.MostSimilar(q.Positive, q.Negative, 10, &latent.WordOptions{Method: m, Restrict: q.Restrict})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != len(q.Result) {
			t.Fatalf("%v - %v: %d results, gensim %d", q.Positive, q.Negative, len(res), len(q.Result))
		}
		for r, want := range q.Result {
			w, s := want[0].(string), want[1].(float64)
			if res[r].Word != w || math.Abs(float64(res[r].Score)-s) > 2e-6 {
				t.Errorf("%s %v - %v rank %d: %s %.7f, gensim %s %.7f", q.Method, q.Positive, q.Negative, r, res[r].Word, res[r].Score, w, s)
			}
		}
	}
}

func TestAnalogyErrors(t *testing.T) {
	_, b := loadGolden(t)
	_, err := b.Analogy("man", "king", "xyzzy-not-a-word", 5, nil)
	var uw *latent.UnknownWordError
	if !errors.Is(err, latent.ErrUnknownWord) || !errors.As(err, &uw) || uw.Word != "xyzzy-not-a-word" {
		t.Errorf("unknown word: %v", err)
	}
	if !strings.Contains(err.Error(), `"xyzzy-not-a-word"`) {
		t.Errorf("error %q does not name the word", err)
	}
	// Case folding finds "King"; exact matching does not.
	if _, err := b.Analogy("Man", "King", "Woman", 5, nil); !errors.Is(err, latent.ErrUnknownWord) {
		t.Errorf("exact lookup of \"King\": %v", err)
	}
	res, err := b.Analogy("Man", "King", "Woman", 1, &latent.WordOptions{FoldCase: true})
	if err != nil || res[0].Word != "queen" {
		t.Errorf("Man:King::Woman:? = %v, %v; want queen", res, err)
	}
	// Restricted to the 500 most frequent words, "queen" is not a candidate.
	if _, err := b.Analogy("man", "king", "woman", 1, &latent.WordOptions{FoldCase: true, Restrict: 500}); !errors.Is(err, latent.ErrUnknownWord) {
		t.Errorf("king beyond the restriction: %v", err)
	}
	if _, err := b.MostSimilar(nil, []string{"king"}, 5, nil); !errors.Is(err, latent.ErrEmpty) {
		t.Errorf("no positive words: %v", err)
	}
	nowords, _ := latent.NewBank(subsetEmb.Vectors, nil)
	if _, err := nowords.Analogy("a", "b", "c", 1, nil); err == nil {
		t.Error("analogy on a bank without words: no error")
	}
	if _, err := latent.ParseMethod("sub"); err == nil {
		t.Error("ParseMethod(sub): no error")
	}
}

func TestFoldUpperMatchesPython(t *testing.T) {
	f, err := os.Open(filepath.Join(testdata, "python_upper.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[rune]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		cp, ups, _ := strings.Cut(line, "\t")
		r, _ := strconv.ParseUint(cp, 16, 32)
		var s strings.Builder
		for _, u := range strings.Fields(ups) {
			x, _ := strconv.ParseUint(u, 16, 32)
			s.WriteRune(rune(x))
		}
		want[rune(r)] = s.String()
	}
	if len(want) < 1000 {
		t.Fatalf("only %d mappings read", len(want))
	}
	// Every code point, both ways: Go's unicode tables (Unicode 15) and
	// Python 3.11's (Unicode 14) agree on all of them.
	bad := 0
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		w, ok := want[r]
		if !ok {
			w = string(r)
		}
		if got := latent.FoldUpper(string(r)); got != w {
			bad++
			if bad < 10 {
				t.Errorf("FoldUpper(%U) = %q, Python %q", r, got, w)
			}
		}
	}
	if got := latent.FoldUpper("straße ﬁx"); got != "STRASSE FIX" {
		t.Errorf("FoldUpper = %q", got)
	}
}

func BenchmarkEvaluateSubset(b *testing.B) {
	emb, err := wordvec.ReadFile(filepath.Join(testdata, "glove-subset.txt.gz"), wordvec.GloVe, nil)
	if err != nil {
		b.Fatal(err)
	}
	sections, err := latent.ReadQuestionsFile(filepath.Join(testdata, "questions-words.txt"))
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []latent.Method{latent.CosAdd, latent.CosMul} {
		b.Run(m.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				bank, _ := emb.Bank()
				if _, err := bank.Evaluate(sections, &latent.EvalOptions{Method: m}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
