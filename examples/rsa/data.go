package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/rsa"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Files of the Kriegeskorte et al. (2008) folder (rsatoolbox's demo data
// converted to .npy; see ../shared/data/real/README.md).
const (
	imagesFile   = "images-92x175x175x3.npy"
	metaFile     = "images-meta.json"
	sessionsFile = "hIT-rdms-subject-session.npy"
	namesFile    = "hIT-rdms-subject-session.txt"
	groupFile    = "hITvisStim_316vx.npy"
	monkeyFile   = "mIT_674neurons.npy"
)

// study is what the analysis reads.
type study struct {
	// images are the stimuli [N, C, H, W] in [0, 1], as stored.
	images *nt.Dense
	// animate flags each stimulus as animate (meta "animal").
	animate []bool
	// subjects are the human IT RDMs, one per subject (sessions averaged),
	// with the names and the sessions' own RDMs.
	subjects     []*rsa.RDM
	sessions     [][]*rsa.RDM
	subjectNames []string
	// group is the paper's human IT RDM, monkey its monkey IT RDM.
	group, monkey *rsa.RDM
}

// loadStudy reads the folder and checks that every file describes the
// same stimuli.
func loadStudy(dir string) (*study, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data folder: %w (give -data, the kriegeskorte92 folder of ../shared/data/real)", err)
	}
	s := &study{}
	var err error
	if s.images, err = loadImages(filepath.Join(dir, imagesFile)); err != nil {
		return nil, err
	}
	n := s.images.Shape()[0]
	if s.animate, err = loadAnimacy(filepath.Join(dir, metaFile), n); err != nil {
		return nil, err
	}
	one := func(name string) (*rsa.RDM, error) {
		rs, err := rsa.LoadNPY(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if len(rs) != 1 {
			return nil, fmt.Errorf("%s holds %d RDMs, want 1", name, len(rs))
		}
		return rs[0], nil
	}
	if s.group, err = one(groupFile); err != nil {
		return nil, err
	}
	if s.monkey, err = one(monkeyFile); err != nil {
		return nil, err
	}
	s.group.Name, s.monkey.Name = "human IT (group, paper)", "monkey IT"
	sessions, err := rsa.LoadNPY(filepath.Join(dir, sessionsFile))
	if err != nil {
		return nil, err
	}
	names, err := readLines(filepath.Join(dir, namesFile))
	if err != nil {
		return nil, err
	}
	if len(names) != len(sessions) {
		return nil, fmt.Errorf("%s names %d RDMs, %s holds %d", namesFile, len(names), sessionsFile, len(sessions))
	}
	// Lines read "hIT | BE | Session: 1": sessions are grouped by subject.
	index := map[string]int{}
	for k, line := range names {
		f := strings.Split(line, "|")
		if len(f) < 3 {
			return nil, fmt.Errorf("%s line %d %q: want \"region | subject | session\"", namesFile, k+1, line)
		}
		subj := strings.TrimSpace(f[1])
		sessions[k].Name = strings.TrimSpace(f[1]) + " " + strings.TrimSpace(f[2])
		i, ok := index[subj]
		if !ok {
			i = len(s.subjectNames)
			index[subj] = i
			s.subjectNames = append(s.subjectNames, subj)
			s.sessions = append(s.sessions, nil)
		}
		s.sessions[i] = append(s.sessions[i], sessions[k])
	}
	for i, ss := range s.sessions {
		r, err := rsa.Mean(s.subjectNames[i], ss...)
		if err != nil {
			return nil, err
		}
		s.subjects = append(s.subjects, r)
	}
	for _, r := range append([]*rsa.RDM{s.group, s.monkey}, s.subjects...) {
		if r.N() != n {
			return nil, fmt.Errorf("RDM %q describes %d stimuli, %s holds %d images", r.Name, r.N(), imagesFile, n)
		}
	}
	return s, nil
}

// loadImages reads stimuli stored as numpy keeps images: [N, H, W, C]
// with C = 1 or 3, or [N, H, W], uint8 (0-255) or float in [0, 1]; they
// come back [N, C, H, W] in [0, 1].
func loadImages(path string) (*nt.Dense, error) {
	t, err := nt.LoadNPY(path)
	if err != nil {
		return nil, err
	}
	s := t.Shape()
	var n, h, w, c int
	switch {
	case len(s) == 3:
		n, h, w, c = s[0], s[1], s[2], 1
	case len(s) == 4 && (s[3] == 1 || s[3] == 3):
		n, h, w, c = s[0], s[1], s[2], s[3]
	default:
		return nil, fmt.Errorf("%s: images of shape %v: want [N, H, W, C] with C 1 or 3, or [N, H, W]", path, []int(s))
	}
	f, err := nt.ToFloat32(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	src := nt.Data32(f)
	scale := float32(1)
	if t.Dtype().String() == "uint8" {
		scale = 1.0 / 255
	}
	out := make([]float32, len(src))
	for i := range n {
		for y := range h {
			for x := range w {
				for k := range c {
					v := src[((i*h+y)*w+x)*c+k] * scale
					if !(v >= 0 && v <= 1) {
						return nil, fmt.Errorf("%s: image %d has pixel %v at (%d,%d,%d): want uint8 or floats in [0, 1]", path, i, v, y, x, k)
					}
					out[((i*c+k)*h+y)*w+x] = v
				}
			}
		}
	}
	return nt.New32(out, n, c, h, w), nil
}

// loadAnimacy reads the per-image "animal" flag of images-meta.json.
func loadAnimacy(path string, n int) ([]bool, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var meta []struct {
		Animal   *int   `json:"animal"`
		Category string `json:"category"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(meta) != n {
		return nil, fmt.Errorf("%s describes %d images, the image file holds %d", path, len(meta), n)
	}
	out := make([]bool, n)
	for i, m := range meta {
		if m.Animal == nil {
			return nil, fmt.Errorf("%s: image %d has no \"animal\" flag", path, i)
		}
		out[i] = *m.Animal == 1
	}
	return out, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}

// resize converts images [N, C, H, W] in [0, 1] to what a model takes,
// [N, c, size, size]: the centre square, resized with the project's
// anti-aliased filter, converted to grey by ITU-R 601 luma (or grey to
// colour by repeating it); dataset.Preprocess.Convert does the work.
func resize(images *nt.Dense, c, size int) (*nt.Dense, error) {
	s := images.Shape()
	n, sc, h, w := s[0], s[1], s[2], s[3]
	src := nt.Data32(images)
	out := make([]float32, n*c*size*size)
	p := dataset.Preprocess{Size: size, CropFactor: 1, Gray: c == 1}
	for i := range n {
		if err := p.Convert(src[i*sc*h*w:(i+1)*sc*h*w], sc, h, w, c, out[i*c*size*size:(i+1)*c*size*size]); err != nil {
			return nil, fmt.Errorf("image %d: %w", i, err)
		}
	}
	return nt.New32(out, n, c, size, size), nil
}
