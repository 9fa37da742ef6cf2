package recon

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/neurolatent/neurolatent/decode/nifti"
)

// BIDSRuns are one task's runs of one participant in a BIDS dataset.
type BIDSRuns struct {
	Bold, Events []string
	// TR is each run's repetition time in seconds: RepetitionTime from
	// its sidecar (the BIDS inheritance chain: the run's *_bold.json, the
	// subject's and the dataset's task-<name>_bold.json), or the NIfTI
	// header's where no sidecar gives one.
	TR []float64
	// Confounds are the runs' fMRIPrep-style confounds tables
	// (<run>_desc-confounds_timeseries.tsv anywhere under
	// root/derivatives), one per run, or nil when not every run has one.
	Confounds []string
	// Notes say where the TR came from when not from a sidecar, and
	// where sidecar and header disagree.
	Notes []string
}

// FindBIDSRuns lists the runs of task for participant sub (labels
// without "sub-", "ses-", "task-"; ses may be empty) under root:
// sub-<sub>[/ses-<ses>]/func/*_task-<task>[_*]_bold.nii[.gz] with their
// *_events.tsv, sorted by name (run-01, run-02...). A run without events
// is an error, as is a task with no runs.
func FindBIDSRuns(root, sub, ses, task string) (*BIDSRuns, error) {
	for _, l := range []struct{ name, v string }{{"subject", sub}, {"session", ses}, {"task", task}} {
		if bidsLabel(l.v) != l.v || (l.v == "" && l.name != "session") {
			return nil, fmt.Errorf("recon: BIDS %s label %q: want letters and digits", l.name, l.v)
		}
	}
	dir := filepath.Join(root, "sub-"+sub)
	prefix := "sub-" + sub
	if ses != "" {
		dir = filepath.Join(dir, "ses-"+ses)
		prefix += "_ses-" + ses
	}
	dir = filepath.Join(dir, "func")
	var bold []string
	for _, ext := range []string{".nii.gz", ".nii"} {
		m, err := filepath.Glob(filepath.Join(dir, prefix+"_task-"+task+"*_bold"+ext))
		if err != nil {
			return nil, fmt.Errorf("recon: %w", err)
		}
		for _, f := range m {
			// task-train must not match task-training.
			rest := strings.TrimPrefix(filepath.Base(f), prefix+"_task-"+task)
			if strings.HasPrefix(rest, "_") {
				bold = append(bold, f)
			}
		}
	}
	if len(bold) == 0 {
		return nil, fmt.Errorf("recon: no runs of task %q for sub-%s in %s", task, sub, dir)
	}
	sort.Strings(bold)
	r := &BIDSRuns{Bold: bold}
	for _, b := range bold {
		base := strings.TrimSuffix(strings.TrimSuffix(b, ".gz"), ".nii")
		base = strings.TrimSuffix(base, "_bold")
		ev := base + "_events.tsv"
		if _, err := os.Stat(ev); err != nil {
			return nil, fmt.Errorf("recon: %s has no events file (%s)", filepath.Base(b), filepath.Base(ev))
		}
		r.Events = append(r.Events, ev)
		tr, note, err := runTR(root, sub, task, b, base+"_bold.json")
		if err != nil {
			return nil, err
		}
		r.TR = append(r.TR, tr)
		if note != "" {
			r.Notes = append(r.Notes, note)
		}
		if c := findDerivative(root, filepath.Base(base)+"_desc-confounds_timeseries.tsv"); c != "" {
			r.Confounds = append(r.Confounds, c)
		}
	}
	if n := len(r.Confounds); n > 0 && n < len(bold) {
		r.Notes = append(r.Notes, fmt.Sprintf("confounds tables for %d of %d %s runs: none are used", n, len(bold), task))
		r.Confounds = nil
	}
	return r, nil
}

// findDerivative returns the first file called name up to four folders
// deep under root/derivatives (fMRIPrep nests sub-*/[ses-*/]func), or "".
func findDerivative(root, name string) string {
	for _, pat := range []string{"*", filepath.Join("*", "*"), filepath.Join("*", "*", "*"), filepath.Join("*", "*", "*", "*")} {
		if m, _ := filepath.Glob(filepath.Join(root, "derivatives", pat, name)); len(m) > 0 {
			sort.Strings(m)
			return m[0]
		}
	}
	return ""
}

// runTR reads a run's TR from its sidecars and its header.
func runTR(root, sub, task, bold, sidecar string) (float64, string, error) {
	h, err := nifti.ReadHeader(bold)
	if err != nil {
		return 0, "", err
	}
	headerTR, _, herr := h.TR()
	// Most specific first: the run's sidecar wins.
	for _, p := range []string{sidecar, filepath.Join(root, "sub-"+sub, "sub-"+sub+"_task-"+task+"_bold.json"), filepath.Join(root, "task-"+task+"_bold.json")} {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var side struct{ RepetitionTime *float64 }
		if err := json.Unmarshal(raw, &side); err != nil {
			return 0, "", fmt.Errorf("recon: %s: %w", p, err)
		}
		if side.RepetitionTime == nil {
			continue
		}
		tr := *side.RepetitionTime
		if !(tr > 0) || tr > 100 {
			return 0, "", fmt.Errorf("recon: %s: RepetitionTime %g s is not a plausible TR", p, tr)
		}
		if herr == nil && math.Abs(tr-headerTR) > 1e-3 {
			return tr, fmt.Sprintf("%s: the sidecar's RepetitionTime is %g s, the NIfTI header's %g s: the GLM uses the sidecar's (BIDS takes it as right)", filepath.Base(bold), tr, headerTR), nil
		}
		return tr, "", nil
	}
	if herr != nil {
		return 0, "", fmt.Errorf("recon: %s: no sidecar gives RepetitionTime, and the header: %w", filepath.Base(bold), herr)
	}
	return headerTR, fmt.Sprintf("%s: no sidecar gives RepetitionTime; the header's TR (%g s) is used", filepath.Base(bold), headerTR), nil
}

// FindBIDSMask returns the participant's mask under root/derivatives:
// the one *_desc-visual_mask.nii.gz of sub-<sub> (and ses-<ses>), else the
// only *_mask.nii.gz; "" with an error when there is none or several.
func FindBIDSMask(root, sub, ses string) (string, error) {
	pre := "sub-" + sub
	if ses != "" {
		pre += "_ses-" + ses
	}
	var all []string
	for _, pat := range []string{"*", filepath.Join("*", "*"), filepath.Join("*", "*", "*"), filepath.Join("*", "*", "*", "*")} {
		m, _ := filepath.Glob(filepath.Join(root, "derivatives", pat, pre+"*_mask.nii*"))
		all = append(all, m...)
	}
	var visual []string
	for _, m := range all {
		if strings.Contains(filepath.Base(m), "_desc-visual_") {
			visual = append(visual, m)
		}
	}
	switch {
	case len(visual) == 1:
		return visual[0], nil
	case len(all) == 1:
		return all[0], nil
	case len(all) == 0:
		return "", fmt.Errorf("recon: no %s*_mask.nii.gz under %s: give -mask", pre, filepath.Join(root, "derivatives"))
	}
	return "", fmt.Errorf("recon: %d masks for %s under %s (%s, ...): give -mask", len(all), pre, filepath.Join(root, "derivatives"), filepath.Base(all[0]))
}
