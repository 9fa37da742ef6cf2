package events

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testdir = "../../testdata/decode/events"

func TestReadFile(t *testing.T) {
	tab, err := ReadFile(filepath.Join(testdir, "bids_like_events.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Events) != 4 || strings.Join(tab.Columns, ",") != "onset,duration,trial_type,response_time,stim_file" {
		t.Fatalf("%+v", tab)
	}
	e := tab.Events
	if e[0].Onset != 1.2 || e[0].Duration != 0.6 || e[0].TrialType != "go" || e[0].StimFile != "images/red_square.jpg" || e[0].Extra["response_time"] != "1.435" {
		t.Errorf("row 1: %+v", e[0])
	}
	if e[1].Extra["response_time"] != "" || !math.IsNaN(e[2].Duration) || e[2].StimFile != "" || e[3].TrialType != "" || e[3].Duration != 0 {
		t.Errorf("n/a handling: %+v", e[1:])
	}
	rt, ok := tab.Column("response_time")
	if !ok || strings.Join(rt, " ") != "1.435 n/a 1.02 0.9" {
		t.Errorf("column %v %v", rt, ok)
	}
	if _, ok := tab.Column("nope"); ok {
		t.Error("unknown column found")
	}
}

func TestRoundTrip(t *testing.T) {
	tab, err := ReadFile(filepath.Join(testdir, "bids_like_events.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "run-01_events.tsv")
	if err := WriteFile(p, tab); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(p)
	b, _ := os.ReadFile(filepath.Join(testdir, "bids_like_events.tsv"))
	// Same bytes except that numbers are written in shortest form (9.0 -> 9).
	if got := strings.Replace(string(b), "9.0\t", "9\t", 1); string(a) != got {
		t.Errorf("round trip changed the file:\n%s\nvs\n%s", a, got)
	}
	// Default columns.
	var buf bytes.Buffer
	err = Write(&buf, &Table{Events: []Event{{Onset: 0, Duration: 1, StimFile: "a.png"}, {Onset: 3, Duration: math.NaN()}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "onset\tduration\tstim_file\n0\t1\ta.png\n3\tn/a\tn/a\n" {
		t.Errorf("%q", got)
	}
}

func TestReadErrors(t *testing.T) {
	cases := map[string]string{
		"":                                     "empty file",
		"duration\ttrial_type\n1\ta\n":         `no "onset"`,
		"onset\n1\n":                           `no "duration"`,
		"onset\tduration\tonset\n1\t2\t3\n":    "appears twice",
		"onset\tduration\t\n1\t2\t3\n":         "no name",
		"onset\tduration\n1\t2\t3\n":           ":2: 3 fields",
		"onset\tduration\n1\t2\nx\t1\n":        `:3: onset "x"`,
		"onset\tduration\nn/a\t1\n":            "onset",
		"onset\tduration\nNaN\t1\n":            "not a finite",
		"onset\tduration\nInf\t1\n":            "not a finite",
		"onset\tduration\n1\t-0.5\n":           "duration",
		"onset\tduration\n1\tlong\n":           "duration",
		"onset\tduration\n1\t" + "1" + "\n2\n": ":3: 1 fields",
	}
	for in, want := range cases {
		_, err := Read(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", in, err, want)
		}
	}
	long := "onset\tduration\n1\t" + strings.Repeat("1", maxLine+10) + "\n"
	if _, err := Read(strings.NewReader(long)); err == nil || !strings.Contains(err.Error(), "longer") {
		t.Errorf("long line: %v", err)
	}
	if _, err := ReadFile("does-not-exist.tsv"); err == nil {
		t.Error("missing file")
	}
}

func TestWindowsLineEndsAndBOM(t *testing.T) {
	tab, err := Read(strings.NewReader("\ufeffonset\tduration\ttrial_type\r\n0.5\t1\tface\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Events) != 1 || tab.Events[0].TrialType != "face" || tab.Columns[0] != "onset" {
		t.Errorf("%+v", tab)
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, &Table{Events: []Event{{Onset: math.Inf(1)}}}); err == nil {
		t.Error("infinite onset written")
	}
	if err := Write(&buf, &Table{Events: []Event{{Onset: 1, TrialType: "a\tb"}}}); err == nil {
		t.Error("tab in a value written")
	}
}
