// Command hostile builds the hostile inputs of issue 17 and runs the
// example programs on them under an address-space limit, printing one
// line per case (handled / NOT handled) and the counts. scripts/hostile.sh
// builds the programs and runs it:
//
//	go run ./scripts/hostile -bin build -work /tmp/hostile [-limit-kb 3145728] [-run REGEXP]
//
// A refusal is handled when the program exits with an error whose text
// holds the expected words and shows no runtime crash (no "panic:",
// "fatal error:", "goroutine ", "SIGSEGV"); a well-formed twin is handled
// when the program succeeds. Cases marked [lead] are those whose fix
// belongs in recon/ or examples/reconstruct (being rewritten): they are
// run and shown, and counted apart.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/neurolatent/neurolatent/bigbigan"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/internal/inflate/inflatetest"
)

type tcase struct {
	id, what string
	lead     bool     // the fix belongs to recon / examples/reconstruct
	cmd      []string // program (a binary in -bin) and arguments
	want     []string // words the error must hold (any one of them)
	ok       bool     // the program must succeed
	setup    func() error
}

var crashRE = regexp.MustCompile(`panic:|fatal error:|goroutine \d+|SIGSEGV|SIGBUS|runtime: out of memory`)

func main() {
	bin := flag.String("bin", "build", "folder of the built example programs")
	work := flag.String("work", filepath.Join(os.TempDir(), "hostile"), "folder for the hostile files (bombs are kept and reused)")
	limitKB := flag.Int("limit-kb", 3<<20, "address-space limit (ulimit -v, KiB) of every program run")
	timeout := flag.Duration("timeout", 3*time.Minute, "time limit of one case")
	only := flag.String("run", "", "run only the cases whose id matches this regexp")
	flag.Parse()
	if err := os.MkdirAll(*work, 0o755); err != nil {
		fail(err)
	}
	absBin, err := filepath.Abs(*bin)
	if err != nil {
		fail(err)
	}
	absBinDir = absBin
	cases, err := build(*work)
	if err != nil {
		fail(err)
	}
	var sel *regexp.Regexp
	if *only != "" {
		sel = regexp.MustCompile(*only)
	}
	var mine, mineOK, lead, leadOK int
	fmt.Printf("# ulimit -v %d KiB (%.1f GiB); programs in %s; files in %s\n", *limitKB, float64(*limitKB)/(1<<20), absBin, *work)
	for _, c := range cases {
		if sel != nil && !sel.MatchString(c.id) {
			continue
		}
		handled, detail := runCase(c, absBin, *work, *limitKB, *timeout)
		status := "handled    "
		if !handled {
			status = "NOT handled"
		}
		tag := ""
		if c.lead {
			tag = " [lead]"
			lead++
			if handled {
				leadOK++
			}
		} else {
			mine++
			if handled {
				mineOK++
			}
		}
		fmt.Printf("%s  %-4s %s%s\n               %s\n", status, c.id, c.what, tag, detail)
	}
	fmt.Printf("\n%d of %d cases handled", mineOK, mine)
	if lead > 0 {
		fmt.Printf("; [lead] cases (recon, examples/reconstruct): %d of %d", leadOK, lead)
	}
	fmt.Printf("; all together %d of %d\n", mineOK+leadOK, mine+lead)
	if mineOK != mine {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "hostile:", err)
	os.Exit(2)
}

// runCase runs one case under the limit and judges it.
func runCase(c tcase, bin, work string, limitKB int, timeout time.Duration) (bool, string) {
	if c.setup != nil {
		if err := c.setup(); err != nil {
			return false, "setup failed: " + err.Error()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	args := append([]string{"-c", fmt.Sprintf(`ulimit -v %d && exec "$0" "$@"`, limitKB), filepath.Join(bin, c.cmd[0])}, c.cmd[1:]...)
	cmd := exec.CommandContext(ctx, "bash", args...)
	cmd.Dir = repoRoot()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	secs := time.Since(start).Seconds()
	text := out.String()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return false, fmt.Sprintf("could not run: %v", err)
	}
	first := lastLine(text)
	info := fmt.Sprintf("[%.1f s, exit %d] %s", secs, code, first)
	switch {
	case ctx.Err() != nil:
		return false, fmt.Sprintf("[timed out after %s] %s", timeout, first)
	case crashRE.MatchString(text):
		m := crashRE.FindString(text)
		return false, fmt.Sprintf("[%.1f s, exit %d] CRASH (%s): %s", secs, code, m, firstMatchLine(text, m))
	case c.ok:
		return code == 0, info
	case code == 0:
		return false, "[exit 0: accepted] " + first
	}
	for _, w := range c.want {
		if strings.Contains(text, w) {
			return true, info
		}
	}
	return false, info + fmt.Sprintf("  (want an error mentioning %q)", c.want)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := lines[len(lines)-1]
	if len(l) > 300 {
		l = l[:300] + "..."
	}
	return l
}

func firstMatchLine(s, m string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, m) {
			return l
		}
	}
	return ""
}

func repoRoot() string {
	wd, _ := os.Getwd()
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return wd
		}
	}
}

// writeOnce writes a file unless it exists (bombs take a moment to build).
func writeOnce(path string, make func(string) error) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	tmp := path + ".part"
	if err := make(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func build(w string) ([]tcase, error) {
	p := func(name string) string { return filepath.Join(w, name) }
	put := func(name string, b []byte) error { return os.WriteFile(p(name), b, 0o644) }
	rf, err := writeRun(w)
	if err != nil {
		return nil, err
	}
	if err := put("afile", []byte("a regular file, not a folder\n")); err != nil {
		return nil, err
	}
	unwritable := p("afile/sub")

	// 1: word vectors.
	if err := put("header.bin", []byte("65536 1048576\n")); err != nil {
		return nil, err
	}
	if err := put("header.txt", []byte("65536 1048576\n")); err != nil {
		return nil, err
	}
	// 1 GiB of "0 " on one line, gzipped to about 1 MB.
	if err := writeOnce(p("oneline.txt.gz"), func(path string) error {
		return os.WriteFile(path, inflatetest.Gzip([]byte("w"), []byte(" 0"), 1<<30), 0o644)
	}); err != nil {
		return nil, err
	}

	// 2: NIfTI headers that claim huge images.
	d4096 := [8]int16{4, 4096, 4096, 4096, 4096, 1, 1, 1}
	d32767 := [8]int16{4, 32767, 32767, 32767, 32767, 1, 1, 1}
	huge := niftiHeader1(d4096, nifti.Uint8, 352, make([]byte, 1500))
	if err := put("huge4096.nii.gz", gzipBytes(huge, gzip.BestCompression)); err != nil {
		return nil, err
	}
	h32767 := niftiHeader1(d32767, nifti.Float64, 352, make([]byte, 64))
	if err := put("huge32767.nii.gz", gzipBytes(h32767, gzip.BestCompression)); err != nil {
		return nil, err
	}
	if err := put("huge32767.nii", h32767); err != nil {
		return nil, err
	}
	if err := put("huge_mask.nii.gz", gzipBytes(niftiHeader1([8]int16{3, 4096, 4096, 4096, 1, 1, 1, 1}, nifti.Uint8, 352, nil), gzip.BestCompression)); err != nil {
		return nil, err
	}
	// A bomb that matches its header: 1 GiB of zero voxels, about 1 MB.
	if err := writeOnce(p("bomb.nii.gz"), func(path string) error {
		hdr := niftiHeader1([8]int16{4, 512, 512, 512, 8, 1, 1, 1}, nifti.Uint8, 352, nil)
		return os.WriteFile(path, inflatetest.Gzip(hdr, nil, 1<<30), 0o644)
	}); err != nil {
		return nil, err
	}
	if err := put("voxoffset.nii", niftiHeader1([8]int16{4, 2, 2, 2, 3, 1, 1, 1}, nifti.Uint8, -100, make([]byte, 24))); err != nil {
		return nil, err
	}

	// 3: corrupt runs. A stored gzip member with one voxel byte changed
	// inflates fine: only the CRC tells.
	crc := bytes.Clone(rf.stored)
	crc[len(crc)/2] ^= 0x40
	if err := put("crc.nii.gz", crc); err != nil {
		return nil, err
	}
	if err := put("trailing.nii.gz", append(bytes.Clone(rf.stored), "GARBAGE-AFTER-THE-STREAM"...)); err != nil {
		return nil, err
	}
	// The same for an IDX file (16 images) and word vectors.
	idx := []byte{0, 0, 8, 3, 0, 0, 0, 16, 0, 0, 0, 28, 0, 0, 0, 28}
	for i := 0; i < 16*28*28; i++ {
		idx = append(idx, byte(i*7))
	}
	goodIDX := gzipBytes(idx, gzip.NoCompression)
	badIDX := bytes.Clone(goodIDX)
	badIDX[len(badIDX)-100] ^= 0x08
	vec := []byte("a 0.5 1.5\nb 1.5 0.25\nc 0.75 2.5\nd 2.5 1.25\n")
	goodVec := gzipBytes(vec, gzip.NoCompression)
	badVec := bytes.Clone(goodVec)
	badVec[bytes.Index(badVec, []byte("0.25"))+2] = '7'
	for name, b := range map[string][]byte{"good.idx.gz": goodIDX, "crc.idx.gz": badIDX, "good.txt.gz": goodVec, "crc.txt.gz": badVec} {
		if err := put(name, b); err != nil {
			return nil, err
		}
	}

	// 4: decompression bombs.
	if err := writeOnce(p("bomb.npz"), func(path string) error { return npzBomb(path, 1<<28, "components") }); err != nil {
		return nil, err
	}
	if err := writeOnce(p("bomb3.npz"), func(path string) error { return npzBomb(path, 1<<28, "coef", "intercept", "mean") }); err != nil {
		return nil, err
	}
	if err := writeOnce(p("bomb.idx.gz"), func(path string) error { return idxBomb(path, 2_740_000) }); err != nil {
		return nil, err
	}
	if err := writeNPY(p("z3.npy"), []int{6, 3}, ramp(18)); err != nil {
		return nil, err
	}
	if err := writeNPY(p("x3.npy"), []int{6, 3}, ramp(18)); err != nil {
		return nil, err
	}
	if err := writeNPY(p("z1.npy"), []int{2, 1}, []float64{0.5, -0.5}); err != nil {
		return nil, err
	}

	// 6: stim_file values that leave the dataset.
	sidecar := func(name string, stims ...string) error {
		var b strings.Builder
		b.WriteString("run\tonset\ttrial_type\tstim_file\n")
		for i, s := range stims {
			fmt.Fprintf(&b, "0\t%d\timage\t%s\n", 6+12*i, s)
		}
		return put(name, []byte(b.String()))
	}
	good := make([]string, 12)
	for k := range good {
		good[k] = fmt.Sprintf("stimuli/img%02d.png", k)
	}
	for _, f := range []struct {
		name  string
		stims []string
	}{
		{"good.tsv", good},
		{"dotdot.tsv", []string{"stimuli/img00.png", "../../../../etc/passwd"}},
		{"abs.tsv", []string{"/etc/passwd"}},
		{"link.tsv", []string{"stimuli/passwd.png"}},
		{"na.tsv", []string{"n/a", "n/a"}},
	} {
		if err := sidecar(f.name, f.stims...); err != nil {
			return nil, err
		}
	}
	os.Remove(p("stimuli/passwd.png"))
	if err := os.Symlink("/etc/passwd", p("stimuli/passwd.png")); err != nil {
		return nil, err
	}
	if err := put("dotdot.txt", []byte("img00.png\nimg01.png\n../../../../etc/passwd\n")); err != nil {
		return nil, err
	}
	if err := writeNPY(p("b3.npy"), []int{3, 4}, fill(12, 1)); err != nil {
		return nil, err
	}
	if err := put("stim2.txt", []byte("img00.png\nimg01.png\n")); err != nil {
		return nil, err
	}
	if err := writeNPY(p("b2.npy"), []int{2, 4}, fill(8, 1)); err != nil {
		return nil, err
	}

	// 7: latent codes that make the images meaningless.
	g, err := bigbigan.LoadGenerator(filepath.Join(repoRoot(), "assets/bigbigan/bigbigan-fashion32.safetensors"))
	if err != nil {
		return nil, err
	}
	zd := g.Config().Latent()
	for name, v := range map[string]float64{"znan.npy": nanV(), "zbig.npy": 1e30, "zinf.npy": infV(), "zok.npy": 0.3} {
		vals := fill(2*zd, 0.1)
		vals[zd+3] = v
		if name == "zok.npy" {
			vals[zd+3] = 0.3
		}
		if err := writeNPY(p(name), []int{2, zd}, vals); err != nil {
			return nil, err
		}
	}
	if err := writeNPY(p("pix50.npy"), []int{1, 1, 32, 32}, fill(1024, 50)); err != nil {
		return nil, err
	}

	fashion := "assets/fashion-mnist/t10k-images-idx3-ubyte.gz"
	train := func(out string, extra ...string) []string {
		return append([]string{"train", "-model", "gan", "-config", "32", "-data", fashion, "-limit", "16", "-batch", "8",
			"-steps", "1", "-sample-every", "0", "-out", p(out), "-quiet"}, extra...)
	}
	weights := "assets/bigbigan/bigbigan-fashion32.safetensors"
	betasTo := func(out, bold, events string, extra ...string) []string {
		return append([]string{"decoder", "betas", "-bold", bold, "-events", events, "-out", out}, extra...)
	}
	betas := func(bold, events string, extra ...string) []string {
		return betasTo(p("betas.npy"), bold, events, extra...)
	}
	rec := func(bold, events string) []string {
		return []string{"reconstruct", "-bold-train", bold, "-events-train", events, "-bold-test", bold, "-events-test", events,
			"-stimuli", w, "-out", p("rec"), "-quiet"}
	}
	latents := func(tsv string) []string {
		return []string{"decoder", "latents", "-root", w, "-train", p(tsv), "-test", p(tsv), "-k", "1",
			"-out-train", p("zt.npy"), "-out-test", p("ze.npy"), "-pca", p("pca.npz")}
	}
	gzWords := []string{"gzip", "inflate", "compressed"}
	return []tcase{
		{id: "1a", what: `word2vec binary, 14-byte header "65536 1048576" -> analogy`,
			cmd: []string{"analogy", "-vectors", p("header.bin"), "-format", "word2vec-bin", "-query", "a - b + c"}, want: []string{"end of file"}},
		{id: "1b", what: `word2vec text, the same header -> analogy`,
			cmd: []string{"analogy", "-vectors", p("header.txt"), "-format", "word2vec", "-query", "a - b + c"}, want: []string{"end of file"}},
		{id: "1c", what: "GloVe .gz of one 1 GiB line (1 MB) -> analogy",
			cmd: []string{"analogy", "-vectors", p("oneline.txt.gz"), "-query", "a - b + c"}, want: append([]string{"line longer"}, gzWords...)},

		{id: "2a", what: "1.9 KB .nii.gz claiming 4096^4 voxels, no mask -> decoder betas",
			cmd: betas(p("huge4096.nii.gz"), rf.events), want: gzWords},
		{id: "2b", what: "the same -> reconstruct (no mask)",
			cmd: rec(p("huge4096.nii.gz"), rf.events), want: gzWords},
		{id: "2c", what: "NIfTI-1 .nii.gz claiming 32767^4 float64 voxels -> decoder betas",
			cmd: betas(p("huge32767.nii.gz"), rf.events), want: gzWords},
		{id: "2d", what: "NIfTI-1 .nii claiming 32767^4 float64 voxels -> decoder betas",
			cmd: betas(p("huge32767.nii"), rf.events), want: []string{"truncated", "too large"}},
		{id: "2e", what: ".nii.gz mask claiming 4096^3 voxels -> decoder betas -mask",
			cmd: betas(rf.bold, rf.events, "-mask", p("huge_mask.nii.gz")), want: gzWords},
		{id: "2f", what: "1 MB .nii.gz inflating to 1 GiB of voxels (matching its header) -> decoder betas",
			cmd: betas(p("bomb.nii.gz"), rf.events), want: gzWords},

		{id: "3a", what: ".nii.gz with a changed data byte (gzip CRC mismatch) -> decoder betas",
			cmd: betas(p("crc.nii.gz"), rf.events), want: []string{"checksum"}},
		{id: "3b", what: ".nii.gz with trailing garbage -> decoder betas",
			cmd: betas(p("trailing.nii.gz"), rf.events), want: []string{"after the end"}},
		{id: "3c", what: "the uncorrupted twin -> decoder betas (must load)",
			cmd: betas(rf.bold, rf.events), ok: true},
		{id: "3d", what: ".nii.gz with a CRC mismatch -> reconstruct",
			cmd: rec(p("crc.nii.gz"), rf.events), want: []string{"checksum"}},
		{id: "3e", what: ".idx.gz with a CRC mismatch -> train -data",
			cmd:  []string{"train", "-model", "gan", "-config", "32", "-data", p("crc.idx.gz"), "-steps", "1", "-batch", "8", "-sample-every", "0", "-out", p("train-crc"), "-quiet"},
			want: []string{"checksum"}},
		{id: "3f", what: "its uncorrupted twin -> train -data (must load)",
			cmd: []string{"train", "-model", "gan", "-config", "32", "-data", p("good.idx.gz"), "-steps", "1", "-batch", "8", "-sample-every", "0", "-out", p("train-twin"), "-quiet"},
			ok:  true},
		{id: "3g", what: "GloVe .txt.gz with a changed digit (CRC mismatch) -> analogy",
			cmd: []string{"analogy", "-vectors", p("crc.txt.gz"), "-query", "a - b + c"}, want: []string{"checksum"}},
		{id: "3h", what: "its uncorrupted twin -> analogy (must load)",
			cmd: []string{"analogy", "-vectors", p("good.txt.gz"), "-query", "a - b + c"}, ok: true},

		{id: "4a", what: "2 MB .npz inflating to 2 GiB -> decoder topixels -pca",
			cmd: []string{"decoder", "topixels", "-pca", p("bomb.npz"), "-z", p("z3.npy"), "-out", p("px.npy")}, want: gzWords},
		{id: "4b", what: "6 MB .npz of three 2 GiB arrays -> decoder predict -model",
			cmd: []string{"decoder", "predict", "-model", p("bomb3.npz"), "-x", p("x3.npy"), "-out", p("pred.npy")}, want: gzWords},
		{id: "4c", what: "2 MB .npz bomb -> bigbigan generate -weights",
			cmd: []string{"bigbigan", "generate", "-weights", p("bomb.npz"), "-z", p("zok.npy"), "-out", p("img.npy")}, want: gzWords},
		{id: "4d", what: "2 MB .idx.gz inflating to 2.1 GB -> reconstruct -images",
			cmd: []string{"reconstruct", "-images", p("bomb.idx.gz"), "-out", p("rec"), "-quiet"}, want: gzWords},
		{id: "4e", what: "the .idx.gz bomb -> train -data",
			cmd: []string{"train", "-data", p("bomb.idx.gz"), "-steps", "1", "-out", p("trainbomb"), "-quiet"}, want: gzWords},
		{id: "4f", what: "the .idx.gz bomb -> decoder simulate -images",
			cmd: []string{"decoder", "simulate", "-images", p("bomb.idx.gz"), "-out", p("sim")}, want: gzWords},
		{id: "4g", what: "the .idx.gz bomb -> bigbigan encode -images",
			cmd: []string{"bigbigan", "encode", "-images", p("bomb.idx.gz"), "-out", p("mu.npy")}, want: gzWords},
		{id: "4h", what: "the .idx.gz bomb -> vaeeval -test-images",
			cmd: []string{"vaeeval", "-test-images", p("bomb.idx.gz"), "-out", p("vaeeval")}, want: gzWords},

		{id: "6a", what: "stim_file ../../../../etc/passwd -> decoder latents -root",
			cmd: latents("dotdot.tsv"), want: []string{"outside", "leaves"}},
		{id: "6b", what: "stim_file /etc/passwd (absolute) -> decoder latents -root",
			cmd: latents("abs.tsv"), want: []string{"absolute"}},
		{id: "6c", what: "stim_file naming a symbolic link to /etc/passwd -> decoder latents -root",
			cmd: latents("link.tsv"), want: []string{"outside", "leaves"}},
		{id: "6d", what: "the well-formed stimulus list -> decoder latents (must work)",
			cmd: latents("good.tsv"), ok: true},
		{id: "4i", what: "a well-formed .npz (the PCA basis latents just wrote) -> decoder topixels (must load)",
			cmd: []string{"decoder", "topixels", "-pca", p("pca.npz"), "-z", p("z1.npy"), "-out", p("px.npy")}, ok: true},
		{id: "6e", what: "stimulus list naming ../../../../etc/passwd -> reconstruct -stim-train", lead: true,
			cmd: []string{"reconstruct", "-betas-train", p("b3.npy"), "-stim-train", p("dotdot.txt"), "-betas-test", p("b2.npy"),
				"-stim-test", p("stim2.txt"), "-stimuli", p("stimuli"), "-out", p("rec"), "-quiet"}, want: []string{"outside", "leaves"}},

		{id: "7a", what: "z with a NaN -> bigbigan generate",
			cmd: []string{"bigbigan", "generate", "-weights", weights, "-z", p("znan.npy"), "-out", p("img.npy")}, want: []string{"NaN"}},
		{id: "7b", what: "z with 1e30 -> bigbigan generate",
			cmd: []string{"bigbigan", "generate", "-weights", weights, "-z", p("zbig.npy"), "-out", p("img.npy")}, want: []string{"1e+30"}},
		{id: "7c", what: "z with +Inf -> bigbigan interpolate",
			cmd: []string{"bigbigan", "interpolate", "-weights", weights, "-z", p("zinf.npy"), "-out", p("img.npy")}, want: []string{"Inf"}},
		{id: "7d", what: "a sound z -> bigbigan generate (must work)",
			cmd: []string{"bigbigan", "generate", "-weights", weights, "-z", p("zok.npy"), "-out", p("img.npy")}, ok: true},

		{id: "9a", what: "train -resume with no checkpoint in -out",
			setup: func() error { return os.RemoveAll(p("train-none")) },
			cmd:   train("train-none", "-resume"), want: []string{"no checkpoint"}},
		{id: "9b", what: "train -resume with another -batch than the checkpoint's",
			setup: func() error {
				os.RemoveAll(p("train-b"))
				c := exec.Command(filepath.Join(absBinDir, "train"), train("train-b")[1:]...)
				c.Dir = repoRoot()
				if out, err := c.CombinedOutput(); err != nil {
					return fmt.Errorf("%v: %s", err, out)
				}
				return nil
			},
			cmd: train("train-b", "-resume", "-steps", "2", "-batch", "4"), want: []string{"batch"}},
		{id: "9c", what: "train -lr NaN", cmd: train("train-nan", "-lr", "NaN"), want: []string{"-lr"}},
		{id: "9d", what: "train -lr +Inf", cmd: train("train-inf", "-lr", "+Inf"), want: []string{"-lr"}},
		{id: "9e", what: "train -out unwritable (found before loading data)",
			cmd: train("afile/sub"), want: []string{"-out"}},
		{id: "9f", what: "bigbigan encode of pixels equal to 50 (range [-1, 1])",
			cmd: []string{"bigbigan", "encode", "-images", p("pix50.npy"), "-out", p("mu.npy")}, want: []string{"[-1, 1]"}},
		{id: "9g", what: "vox_offset -100 -> decoder betas names -100",
			cmd: betas(p("voxoffset.nii"), rf.events), want: []string{"-100"}},
		{id: "9h", what: "events duration 1e300 -> decoder betas names the duration",
			cmd: betas(rf.bold, rf.eventsHuge), want: []string{"duration 1e+300"}},
		{id: "9i", what: "events without a stim_file column -> latents says so (not \"open .../n/a\")",
			cmd: latents("na.tsv"), want: []string{"no stim_file"}},
		{id: "9j", what: "decoder betas -out unwritable (before the GLM)",
			cmd: betasTo(unwritable+"/b.npy", rf.bold, rf.events), want: []string{"-out"}},
		{id: "9k", what: "decoder fit -out unwritable",
			cmd: []string{"decoder", "fit", "-x", p("x3.npy"), "-y", p("z3.npy"), "-out", unwritable + "/m.npz"}, want: []string{"-out"}},
		{id: "9l", what: "decoder latents -out-train unwritable",
			cmd: []string{"decoder", "latents", "-root", w, "-train", p("good.tsv"), "-test", p("good.tsv"), "-k", "1",
				"-out-train", unwritable + "/z.npy", "-out-test", p("ze.npy")}, want: []string{"-out-train"}},
		{id: "9m", what: "reconstruct -out unwritable", lead: true,
			cmd: []string{"reconstruct", "-train", "10", "-test", "2", "-repeats", "1", "-out", unwritable, "-quiet"}, want: []string{"-out"}},
	}, nil
}

// absBinDir is the -bin folder, for setups that run a program.
var absBinDir string

func ramp(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i*i%7) + 0.1*float64(i)
	}
	return out
}

func nanV() float64 { z := 0.0; return z / z }
func infV() float64 { z := 0.0; return 1 / z }
