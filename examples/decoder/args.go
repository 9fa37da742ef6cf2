package main

import (
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/internal/cli"
)

// flagSpec describes one option of a subcommand.
type flagSpec struct {
	name  string
	multi bool // takes one or more values (-bold a.nii.gz b.nii.gz ...)
	bool  bool // takes no value
	help  string
}

// parsed holds the values given to a subcommand.
type parsed struct {
	cmd    string
	values map[string][]string
}

// parseArgs parses args for a subcommand. A token is an option only when
// it names one of the subcommand's options (so values such as "-2:5:20"
// are values); a multi-valued option takes every following value up to
// the next option.
func parseArgs(cmd string, args []string, specs []flagSpec) (*parsed, error) {
	byName := map[string]flagSpec{}
	for _, s := range specs {
		byName[s.name] = s
	}
	p := &parsed{cmd: cmd, values: map[string][]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		s, ok := byName[name]
		if !strings.HasPrefix(a, "-") || !ok {
			return nil, cli.Usagef("%s: unexpected argument %q (options: %s)", cmd, a, optionList(specs))
		}
		if _, dup := p.values[name]; dup {
			return nil, cli.Usagef("%s: -%s given twice", cmd, name)
		}
		if s.bool {
			p.values[name] = []string{"true"}
			continue
		}
		var vals []string
		for i+1 < len(args) {
			next := args[i+1]
			if _, isOpt := byName[strings.TrimLeft(next, "-")]; isOpt && strings.HasPrefix(next, "-") {
				break
			}
			vals = append(vals, next)
			i++
			if !s.multi {
				break
			}
		}
		if len(vals) == 0 {
			return nil, cli.Usagef("%s: -%s needs a value", cmd, name)
		}
		p.values[name] = vals
	}
	return p, nil
}

func optionList(specs []flagSpec) string {
	var names []string
	for _, s := range specs {
		names = append(names, "-"+s.name)
	}
	return strings.Join(names, " ")
}

func (p *parsed) has(name string) bool { _, ok := p.values[name]; return ok }

func (p *parsed) list(name string) []string { return p.values[name] }

// str returns the value of a single-valued option, or def.
func (p *parsed) str(name, def string) string {
	if v, ok := p.values[name]; ok {
		return v[0]
	}
	return def
}

// required returns the value of a required option.
func (p *parsed) required(name string) (string, error) {
	v, ok := p.values[name]
	if !ok {
		return "", cli.Usagef("%s: -%s is required", p.cmd, name)
	}
	return v[0], nil
}

func (p *parsed) float(name string, def float64) (float64, error) {
	v, ok := p.values[name]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(v[0], 64)
	if err != nil {
		return 0, cli.Usagef("%s: -%s %q is not a number", p.cmd, name, v[0])
	}
	return f, nil
}

func (p *parsed) int(name string, def int) (int, error) {
	v, ok := p.values[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil {
		return 0, cli.Usagef("%s: -%s %q is not an integer", p.cmd, name, v[0])
	}
	return n, nil
}

// alphaGrid parses LO:HI:N into N values log-spaced from 10^LO to 10^HI.
func alphaGrid(s string) ([]float64, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, cli.Usagef("alphas %q: want LO:HI:N (exponents of 10 and a count)", s)
	}
	lo, err1 := strconv.ParseFloat(parts[0], 64)
	hi, err2 := strconv.ParseFloat(parts[1], 64)
	n, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || n < 1 || n > 1000 || lo > hi || hi-lo > 600 || lo < -300 || hi > 300 {
		return nil, cli.Usagef("alphas %q: want LO:HI:N with LO <= HI (powers of 10, within 1e-300..1e300) and 1 <= N <= 1000", s)
	}
	return ridge.LogSpace(lo, hi, n), nil
}
