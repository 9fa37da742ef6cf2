package events

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
)

// Event is one row of an events file. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type Event struct {
	// Onset is the time of the event's start in seconds from the first
	// volume of the run.
	Onset float64
	// Duration is in seconds; NaN when the file says "n/a".
	Duration  float64
	TrialType string
	StimFile  string
	// Extra holds the other columns by name ("" for "n/a").
	Extra map[string]string
}

// Table is the content of one events file. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type Table struct {
	// Columns names the file's columns in order; it includes onset and
	// duration.
	Columns []string
	Events  []Event
}

// Standard column names.
const (
	ColOnset     = "onset"
	ColDuration  = "duration"
	ColTrialType = "trial_type"
	ColStimFile  = "stim_file"
	na           = "n/a"
)

// maxLine bounds the length of one line.
const maxLine = 1 << 20

// ReadFile reads an events.tsv file.
func ReadFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer f.Close()
	return read(f, path)
}

// Read reads an events table from r.
func Read(r io.Reader) (*Table, error) { return read(r, "events.tsv") }

func read(r io.Reader, name string) (*Table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	errf := func(line int, format string, args ...any) error {
		return fmt.Errorf("events: %s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	line := 0
	var t Table
	colIndex := map[string]int{}
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
			t.Columns = strings.Split(text, "\t")
			for i, c := range t.Columns {
				c = strings.TrimSpace(c)
				t.Columns[i] = c
				if c == "" {
					return nil, errf(line, "column %d has no name", i+1)
				}
				if _, dup := colIndex[c]; dup {
					return nil, errf(line, "column %q appears twice", c)
				}
				colIndex[c] = i
			}
			for _, req := range []string{ColOnset, ColDuration} {
				if _, ok := colIndex[req]; !ok {
					return nil, errf(line, "no %q column (columns: %s)", req, strings.Join(t.Columns, ", "))
				}
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != len(t.Columns) {
			return nil, errf(line, "%d fields, the header has %d columns", len(fields), len(t.Columns))
		}
		e := Event{Extra: map[string]string{}}
		for i, c := range t.Columns {
			v := strings.TrimSpace(fields[i])
			switch c {
			case ColOnset:
				x, err := strconv.ParseFloat(v, 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, errf(line, "onset %q is not a finite number", v)
				}
				e.Onset = x
			case ColDuration:
				if v == na {
					e.Duration = math.NaN()
					continue
				}
				x, err := strconv.ParseFloat(v, 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
					return nil, errf(line, "duration %q is not a number >= 0 or n/a", v)
				}
				e.Duration = x
			default:
				if v == na {
					v = ""
				}
				switch c {
				case ColTrialType:
					e.TrialType = v
				case ColStimFile:
					e.StimFile = v
				default:
					e.Extra[c] = v
				}
			}
		}
		t.Events = append(t.Events, e)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, errf(line+1, "line longer than %d bytes", maxLine)
		}
		return nil, fmt.Errorf("events: %s: %w", name, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("events: %s: empty file (no header line)", name)
	}
	return &t, nil
}

// Column returns the values of column name for every event, or false if
// the table has no such column.
func (t *Table) Column(name string) ([]string, bool) {
	found := false
	for _, c := range t.Columns {
		found = found || c == name
	}
	if !found {
		return nil, false
	}
	out := make([]string, len(t.Events))
	for i, e := range t.Events {
		out[i] = e.field(name)
	}
	return out, true
}

// field formats the value of column c, "n/a" when missing.
func (e *Event) field(c string) string {
	var v string
	switch c {
	case ColOnset:
		return strconv.FormatFloat(e.Onset, 'g', -1, 64)
	case ColDuration:
		if math.IsNaN(e.Duration) {
			return na
		}
		return strconv.FormatFloat(e.Duration, 'g', -1, 64)
	case ColTrialType:
		v = e.TrialType
	case ColStimFile:
		v = e.StimFile
	default:
		v = e.Extra[c]
	}
	if v == "" {
		return na
	}
	return v
}

// Write writes t as tab-separated values. When t.Columns is empty the
// columns are onset, duration, then trial_type and stim_file if any event
// uses them. Text with tabs or newlines is an error.
func Write(w io.Writer, t *Table) error {
	cols := t.Columns
	if len(cols) == 0 {
		cols = []string{ColOnset, ColDuration}
		var tt, sf bool
		for _, e := range t.Events {
			tt = tt || e.TrialType != ""
			sf = sf || e.StimFile != ""
		}
		if tt {
			cols = append(cols, ColTrialType)
		}
		if sf {
			cols = append(cols, ColStimFile)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(strings.Join(cols, "\t"))
	buf.WriteByte('\n')
	for i, e := range t.Events {
		if math.IsNaN(e.Onset) || math.IsInf(e.Onset, 0) {
			return fmt.Errorf("events: event %d: onset %v is not finite", i, e.Onset)
		}
		for j, c := range cols {
			v := e.field(c)
			if strings.ContainsAny(v, "\t\n\r") {
				return fmt.Errorf("events: event %d: %s value %q has a tab or newline", i, c, v)
			}
			if j > 0 {
				buf.WriteByte('\t')
			}
			buf.WriteString(v)
		}
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile writes t to path through a temporary file and a rename.
func WriteFile(path string, t *Table) error {
	var buf bytes.Buffer
	if err := Write(&buf, t); err != nil {
		return fmt.Errorf("%w (writing %s)", err, path)
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	return nil
}
