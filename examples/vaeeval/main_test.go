package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fashion = "../../assets/fashion-mnist/"

// A seconds-long evaluation of the shipped VAE-GAN on a few images writes
// the metrics and both pictures.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-weights", "../../assets/vaegan/fashion32.safetensors", "-out", dir,
		"-train-images", fashion + "train-images-idx3-ubyte.gz", "-train-labels", fashion + "train-labels-idx1-ubyte.gz",
		"-test-images", fashion + "t10k-images-idx3-ubyte.gz", "-test-labels", fashion + "t10k-labels-idx1-ubyte.gz",
		"-train-limit", "300", "-test-limit", "100"}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var m struct {
		Test    int     `json:"test_images"`
		PixCorr float64 `json:"pixcorr"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if m.Test != 100 || m.PixCorr < 0.8 {
		t.Errorf("metrics %+v", m)
	}
	for _, f := range []string{"metrics.json", "samples.png", "reconstructions.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-weights", "nope.safetensors"}, "nope.safetensors"},
		{[]string{"-test-limit", "-1"}, "-test-limit"},
	} {
		var out, errw bytes.Buffer
		err := run(append(c.args, "-out", t.TempDir()), &out, &errw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
	// An unwritable -out is found before the evaluation (issue 17, item 9).
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	var out, errw bytes.Buffer
	if err := run([]string{"-out", filepath.Join(file, "eval")}, &out, &errw); err == nil || !strings.Contains(err.Error(), "-out: cannot make the folder") {
		t.Errorf("unwritable -out: %v", err)
	}
}
