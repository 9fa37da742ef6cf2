package cli

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

func newFS() (*flag.FlagSet, *int) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	n := fs.Int("n", 3, "number of `N` things")
	fs.String("out", "", "output folder")
	fs.Bool("quiet", false, "no progress")
	return fs, n
}

var help = Help{
	Usage:    "prog [flags]",
	Summary:  "prog does things.",
	Groups:   []Group{{"input", []string{"n"}}, {"output", []string{"out"}}},
	Examples: []string{"prog -n 4  # four things"},
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		help bool
	}{
		{nil, 0, false},
		{[]string{"-n", "5"}, 0, false},
		{[]string{"-h"}, 0, true},
		{[]string{"-help"}, 0, true},
		{[]string{"--help"}, 0, true},
		{[]string{"help"}, 0, true},
		{[]string{"-nope"}, 2, false},
		{[]string{"-n", "x"}, 2, false},
		{[]string{"stray"}, 2, false},
	} {
		fs, _ := newFS()
		var out bytes.Buffer
		err := Parse(fs, c.args, help, &out)
		if got := Code(err); got != c.code {
			t.Errorf("%v: code %d (%v), want %d", c.args, got, err, c.code)
		}
		if gotHelp := out.Len() > 0; gotHelp != c.help {
			t.Errorf("%v: help printed %v, want %v", c.args, gotHelp, c.help)
		}
	}
}

func TestHelpGroups(t *testing.T) {
	fs, _ := newFS()
	var out bytes.Buffer
	help.Write(&out, fs)
	s := out.String()
	// Groups in order, the ungrouped flag last, defaults shown only when set.
	order := []string{"usage: prog [flags]", "input:", "-n N", "(default 3)", "output:", "-out", "other flags:", "-quiet", "examples:", "prog -n 4"}
	at := 0
	for _, w := range order {
		i := strings.Index(s[at:], w)
		if i < 0 {
			t.Fatalf("help lacks %q after offset %d:\n%s", w, at, s)
		}
		at += i
	}
	if strings.Contains(s, "(default false)") || strings.Contains(s, `(default )`) {
		t.Errorf("zero defaults shown:\n%s", s)
	}
}

func TestCode(t *testing.T) {
	if Code(nil) != 0 || Code(flag.ErrHelp) != 0 || Code(errors.New("io")) != 1 || Code(Usagef("bad")) != 2 {
		t.Error("exit codes: want 0, 0, 1, 2")
	}
	if Code(Usage(flag.ErrHelp)) != 0 || Usage(nil) != nil {
		t.Error("Usage must keep help and nil")
	}
	var buf bytes.Buffer
	if Report(&buf, "prog", Usagef("-n %d: too many", 9)) != 2 || !strings.Contains(buf.String(), "prog: -n 9: too many\nrun 'prog -h' for help") {
		t.Errorf("Report: %q", buf.String())
	}
}

func TestBarNil(t *testing.T) {
	b := Bar(nil, 10, "x")
	b.Add(1) // a quiet run's bar is nil and does nothing
	b.Finish()
	var buf bytes.Buffer
	b = Bar(&buf, 2, "stage")
	b.Add(2)
	b.Finish()
	if !strings.Contains(buf.String(), "stage") || !strings.Contains(buf.String(), "2/2") {
		t.Errorf("bar output %q", buf.String())
	}
}
