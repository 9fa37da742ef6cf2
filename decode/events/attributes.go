package events

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Attributes is a PyMVPA-style sample attribute table: one line per volume
// of a 4D series, in order, with the volume's label (PyMVPA's "targets":
// the condition shown, or a baseline such as "rest") and its chunk (the
// run it belongs to), separated by white space:
//
//	rest 0
//	face 0
//	face 0
//
// Each chunk must be one contiguous stretch of lines: the runs are
// concatenated, not interleaved. It is a plain value: safe for concurrent
// use as long as no goroutine modifies it.
type Attributes struct {
	Labels []string // one per volume
	Chunks []string // one per volume
}

// ReadAttributesFile reads an attribute table from a file.
func ReadAttributesFile(path string) (*Attributes, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer f.Close()
	return readAttributes(f, path)
}

// ReadAttributes reads an attribute table from r. Empty lines and lines
// whose first non-blank character is '#' are skipped (they are not
// volumes); every other line must have exactly two fields.
func ReadAttributes(r io.Reader) (*Attributes, error) {
	return readAttributes(r, "attributes")
}

func readAttributes(r io.Reader, name string) (*Attributes, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	errf := func(line int, format string, args ...any) error {
		return fmt.Errorf("events: %s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	a := &Attributes{}
	seen := map[string]bool{} // chunks that have ended
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		f := strings.Fields(text)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 2 {
			return nil, errf(line, "%d fields, want 2 (label and chunk, as in %q)", len(f), "face 3")
		}
		label, chunk := f[0], f[1]
		if n := len(a.Chunks); n > 0 && a.Chunks[n-1] != chunk {
			seen[a.Chunks[n-1]] = true
			if seen[chunk] {
				return nil, errf(line, "chunk %q starts again after chunk %q: each run's volumes must be contiguous", chunk, a.Chunks[n-1])
			}
		}
		a.Labels = append(a.Labels, label)
		a.Chunks = append(a.Chunks, chunk)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, errf(line+1, "line longer than %d bytes", maxLine)
		}
		return nil, fmt.Errorf("events: %s: %w", name, err)
	}
	if len(a.Labels) == 0 {
		return nil, fmt.Errorf("events: %s: no volumes (no line with a label and a chunk)", name)
	}
	return a, nil
}

// Len is the number of volumes.
func (a *Attributes) Len() int { return len(a.Labels) }

// AttributeRun is one run (chunk) of an attribute table: its volumes are
// Start .. Start+Frames-1 of the concatenated series, and its blocks are
// events whose onsets count from the run's first volume. It is a plain
// value: safe for concurrent use as long as no goroutine modifies it.
type AttributeRun struct {
	Chunk         string
	Start, Frames int
	Events        []Event
}

// Table returns the run's blocks as an events table (onset, duration,
// trial_type), ready for WriteFile.
func (r AttributeRun) Table() *Table {
	return &Table{Columns: []string{ColOnset, ColDuration, ColTrialType}, Events: r.Events}
}

// Runs splits the table by chunk, in order of appearance, and turns each
// stretch of consecutive volumes with the same label within a run into a
// block: an event with onset k*tr (k: the block's first volume within the
// run), duration n*tr (n: its number of volumes) and trial_type the label.
// Volumes whose label is one of baseline (such as "rest") make no event:
// they are the implicit baseline of a GLM.
func (a *Attributes) Runs(tr float64, baseline []string) ([]AttributeRun, error) {
	if !(tr > 0) || math.IsInf(tr, 0) {
		return nil, fmt.Errorf("events: TR %v s is not a positive number", tr)
	}
	if len(a.Labels) != len(a.Chunks) {
		return nil, fmt.Errorf("events: attribute table has %d labels and %d chunks", len(a.Labels), len(a.Chunks))
	}
	if len(a.Labels) == 0 {
		return nil, fmt.Errorf("events: attribute table has no volumes")
	}
	base := map[string]bool{}
	for _, b := range baseline {
		base[b] = true
	}
	var runs []AttributeRun
	for i := 0; i < len(a.Labels); {
		r := AttributeRun{Chunk: a.Chunks[i], Start: i}
		for _, prev := range runs {
			if prev.Chunk == r.Chunk {
				return nil, fmt.Errorf("events: chunk %q starts again at volume %d: each run's volumes must be contiguous", r.Chunk, i)
			}
		}
		j := i
		for j < len(a.Chunks) && a.Chunks[j] == r.Chunk {
			j++
		}
		r.Frames = j - i
		for k := i; k < j; {
			m := k
			for m < j && a.Labels[m] == a.Labels[k] {
				m++
			}
			if !base[a.Labels[k]] {
				r.Events = append(r.Events, Event{
					Onset:     float64(k-i) * tr,
					Duration:  float64(m-k) * tr,
					TrialType: a.Labels[k],
					Extra:     map[string]string{},
				})
			}
			k = m
		}
		runs = append(runs, r)
		i = j
	}
	return runs, nil
}
