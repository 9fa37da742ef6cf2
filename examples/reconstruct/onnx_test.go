package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/onnx/onnxtest"
)

// Wrong ONNX flags are refused with a message, before anything runs.
func TestONNXFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-onnx-encoder", "e.onnx"}, "give both"},
		{[]string{"-onnx-generator", "g.onnx"}, "give both"},
		{[]string{"-onnx-encoder", "e.onnx", "-onnx-generator", "g.onnx", "-weights", "w"}, "-weights"},
		{[]string{"-onnx-encoder", "e.onnx", "-onnx-generator", "g.onnx", "-model", "gan"}, "-model"},
		{[]string{"-onnx-encoder", "e.onnx", "-onnx-generator", "g.onnx", "-onnx-range", "1,0"}, "lo < hi"},
		{[]string{"-onnx-encoder", "e.onnx", "-onnx-generator", "g.onnx", "-onnx-range", "0"}, "two numbers"},
		{[]string{"-model", "onnx"}, "needs -onnx-encoder"},
	} {
		_, err := parse(c.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
	o, err := parse([]string{"-onnx-encoder", "e.onnx", "-onnx-generator", "g.onnx", "-model", "onnx"}, &bytes.Buffer{})
	if err != nil || o.model != "onnx" {
		t.Errorf("-model onnx with both files: %v, model %q", err, o.model)
	}
	o.onnxEncoder = filepath.Join(t.TempDir(), "absent.onnx")
	if _, err := loadModel(o); err == nil || !strings.Contains(err.Error(), "-onnx-encoder") {
		t.Errorf("absent encoder file: %v", err)
	}
}

// The main job with the face VAE given as ONNX files and the simulated
// participant viewing the grey Olivetti faces (the RGB model gets them
// repeated over its channels), on small sizes. Skips without ../shared or
// python3 with torch.
func TestONNXFaces(t *testing.T) {
	dir := onnxtest.FaceVAE(t)
	var stdout, stderr bytes.Buffer
	args := []string{"-out", t.TempDir(), "-json", "-images", "olivetti", "-train", "60", "-test", "8", "-repeats", "2",
		"-voxels", "200", "-show", "4", "-bootstrap", "100", "-permutations", "100",
		"-onnx-encoder", filepath.Join(dir, "encoder-opset11.onnx"), "-onnx-generator", filepath.Join(dir, "decoder-opset11.onnx")}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var m struct {
		All []struct{ Space, Method string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v", err)
	}
	var rows []string
	for _, r := range m.All {
		rows = append(rows, r.Space+" "+r.Method)
	}
	if got := strings.Join(rows, ","); !strings.HasPrefix(got, "onnx ridge,") || !strings.Contains(got, "pca ridge") || !strings.Contains(got, "pixels ridge") {
		t.Errorf("decoders %s: want onnx ridge beside pca ridge and pixels ridge", got)
	}
}
