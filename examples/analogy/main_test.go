package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/cuda"
)

var testdata = filepath.Join("..", "..", "testdata", "latent")

func runArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(args, &out, &errOut)
	return out.String(), err
}

// The -json output on the GloVe subset equals gensim's counts
// (testdata/latent/latent_golden.json, from scripts/golden/latent_analogy.py).
func TestJSONMatchesGensim(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testdata, "latent_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gold struct {
		Evaluations []struct {
			Restrict int             `json:"restrict"`
			Method   string          `json:"method"`
			Sections []sectionReport `json:"sections"`
		} `json:"evaluations"`
	}
	if err := json.Unmarshal(raw, &gold); err != nil {
		t.Fatal(err)
	}
	for _, e := range gold.Evaluations {
		if e.Restrict != 800 {
			continue
		}
		out, err := runArgs(t, "-vectors", filepath.Join(testdata, "glove-subset.txt.gz"),
			"-questions", filepath.Join(testdata, "questions-words.txt"),
			"-restrict", "800", "-method", e.Method, "-json")
		if err != nil {
			t.Fatal(err)
		}
		var rep report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		correct, total := 0, 0
		for i, s := range e.Sections {
			if rep.Sections[i] != s {
				t.Errorf("%s: section %+v, gensim %+v", e.Method, rep.Sections[i], s)
			}
			correct += s.Correct
			total += s.Total
		}
		if rep.Correct != correct || rep.Total != total || rep.Accuracy != float64(correct)/float64(total) || rep.Seconds <= 0 {
			t.Errorf("%s: totals %+v, gensim %d/%d", e.Method, rep, correct, total)
		}
	}
}

func TestTextAndQuery(t *testing.T) {
	out, err := runArgs(t, "-vectors", filepath.Join(testdata, "glove-subset.txt.gz"),
		"-questions", filepath.Join(testdata, "questions-words.txt"), "-query", "Queen - woman + man", "-k", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Queen - woman + man (3CosAdd, first 300000 words):\n  1  king ", "capital-common-countries", "Total accuracy", "evaluation: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("a 1 2\nb 1 2\nc 3\n"), 0o644)
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	subset := filepath.Join(testdata, "glove-subset.txt.gz")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-questions", "q"}, "-vectors is required"},
		{[]string{"-vectors", subset}, "give -questions"},
		{[]string{"-vectors", subset, "-query", "king", "-format", "fasttext"}, "unknown format"},
		{[]string{"-vectors", subset, "-query", "king", "-method", "sub"}, "unknown analogy method"},
		{[]string{"-vectors", subset, "-query", "queen - xyzzy + man"}, `unknown word "xyzzy"`},
		{[]string{"-vectors", subset, "-query", "queen woman"}, "missing + or -"},
		{[]string{"-vectors", subset, "-query", "queen - - man"}, "two operators"},
		{[]string{"-vectors", subset, "-query", "queen -"}, "ends with an operator"},
		{[]string{"-vectors", subset, "-query", "- queen"}, "at least one positive word"},
		{[]string{"-vectors", bad, "-query", "a"}, "bad.txt: line 3: malformed word-vector file: word \"c\" has 1 components, want 2"},
		{[]string{"-vectors", empty, "-query", "a"}, "empty.txt: empty input: no vectors"},
		{[]string{"-vectors", subset, "-questions", empty}, "empty.txt: empty input: no questions"},
		{[]string{"-vectors", filepath.Join(dir, "missing.txt"), "-query", "a"}, "missing.txt: no such file"},
		{[]string{"-vectors", subset, "-query", "king", "-k", "0"}, "-k 0"},
	} {
		_, err := runArgs(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestGPUFlagWithoutCUDA: in a build without CUDA, -gpu fails at once with
// cuda.ErrNoCUDA.
func TestGPUFlagWithoutCUDA(t *testing.T) {
	if cuda.Available {
		t.Skip("built with CUDA")
	}
	_, err := runArgs(t, "-vectors", filepath.Join(testdata, "glove-subset.txt.gz"), "-query", "king", "-gpu")
	if !errors.Is(err, cuda.ErrNoCUDA) || !strings.Contains(err.Error(), "-gpu") {
		t.Fatalf("err = %v, want -gpu: %v", err, cuda.ErrNoCUDA)
	}
}
