package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A seconds-long run on 400 images writes the three pictures and metrics
// in which moving a code by a class-mean difference changes its class far
// more often than leaving it alone, and slerp keeps the norm lerp loses.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-n", "400", "-out", dir, "-json", "-quiet"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var m Metrics
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if len(m.Axes) != len(pairs) || len(m.Transfers) != 2*len(pairs) {
		t.Fatalf("%d axes and %d transfers", len(m.Axes), len(m.Transfers))
	}
	if m.MeanToTarget < m.MeanControl+0.2 {
		t.Errorf("transfers land in the target %.2f of the time, unchanged codes %.2f", m.MeanToTarget, m.MeanControl)
	}
	if !(m.LerpMidNorm < 0.95 && m.SlerpMidNorm > 0.99) {
		t.Errorf("midpoint norms: lerp %.3f, slerp %.3f", m.LerpMidNorm, m.SlerpMidNorm)
	}
	for _, f := range []string{"arithmetic.png", "axis.png", "interpolation.png", "metrics.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, []byte("not a weights file"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "5"}, "-n 5"},
		{[]string{"-n", "20000"}, "-n 20000"},
		{[]string{"-weights", bad}, "bad.safetensors"},
		{[]string{"extra"}, "unexpected"},
		{[]string{"-out", filepath.Join(bad, "out")}, "-out: cannot make the folder"},
	} {
		var out, errw bytes.Buffer
		err := run(append([]string{"-out", dir, "-quiet"}, c.args...), &out, &errw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}
