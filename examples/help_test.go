package examples

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// programs are the example programs and, for those with subcommands,
// their subcommands.
var programs = map[string][]string{
	"analogy":     nil,
	"arithmetic":  nil,
	"bigbigan":    {"generate", "sample", "interpolate", "encode", "train", "eval"},
	"decoder":     {"betas", "fit", "predict", "evaluate", "simulate", "latents", "topixels"},
	"haxby":       nil,
	"reconstruct": nil,
	"rsa":         nil,
	"sweep":       nil,
	"train":       nil,
	"vaeeval":     nil,
}

// The list above is every folder with a main package, so a new program
// cannot skip the check.
func TestProgramsListed(t *testing.T) {
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d.Name(), "main.go")); err == nil {
			if _, ok := programs[d.Name()]; !ok {
				t.Errorf("examples/%s is not in programs", d.Name())
			}
		}
	}
}

func exitCode(t *testing.T, err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

func TestHelpAndUsageErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every example program")
	}
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for p := range programs {
		args = append(args, "./"+p)
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// From an empty folder: help must not depend on the repository.
	work := t.TempDir()
	runIn := func(prog string, a ...string) (string, string, int) {
		cmd := exec.Command(filepath.Join(bin, prog), a...)
		cmd.Dir = work
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		code := exitCode(t, cmd.Run())
		return out.String(), errb.String(), code
	}
	for prog, subs := range programs {
		helps := [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}}
		for _, s := range subs {
			helps = append(helps, []string{"help", s}, []string{s, "-h"}, []string{s, "-help"})
		}
		for _, a := range helps {
			out, errs, code := runIn(prog, a...)
			if code != 0 || !strings.Contains(out, "usage: ") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q; want exit 0 and help on stdout", prog, strings.Join(a, " "), code, out, errs)
				continue
			}
			// Long help says what the flags do and shows a command line.
			if len(subs) == 0 || len(a) > 1 {
				if !strings.Contains(out, "example") || !strings.Contains(out, "  -") {
					t.Errorf("%s %s: help lacks flags or examples:\n%s", prog, strings.Join(a, " "), out)
				}
			}
		}
		bad := [][]string{{"-no-such-flag"}}
		if len(subs) > 0 {
			bad = [][]string{{"no-such-command"}, {subs[0], "-no-such-flag"}, {}}
		}
		for _, a := range bad {
			out, errs, code := runIn(prog, a...)
			if code != 2 || errs == "" || out != "" {
				t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want exit 2 and the error on stderr", prog, a, code, out, errs)
			}
		}
	}
}
