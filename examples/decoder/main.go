package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	nlblas "github.com/neurolatent/neurolatent/blas"
)

type command struct {
	run   func(args []string, w io.Writer) error
	flags []flagSpec
	help  string
}

var commands = map[string]command{
	"betas":    {runBetas, betasFlags, "single-trial GLM betas from 4D NIfTI runs and BIDS events files"},
	"fit":      {runFit, fitFlags, "ridge regression with cross-validated alphas (RidgeCV)"},
	"predict":  {runPredict, predictFlags, "apply a fitted model"},
	"evaluate": {runEvaluate, evaluateFlags, "pairwise identification, Pearson r and R^2"},
	"simulate": {runSimulate, simulateFlags, "write a simulated participant's experiment (NIfTI + events)"},
	"latents":  {runLatents, latentsFlags, "PCA latents of the images behind betas rows"},
	"topixels": {runToPixels, topixelsFlags, "map PCA latents back to pixels"},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: decoder COMMAND [options]  (decoder help COMMAND for its options)")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].help)
	}
}

func help(w io.Writer, name string) error {
	c, ok := commands[name]
	if !ok {
		return fmt.Errorf("unknown command %q", name)
	}
	fmt.Fprintf(w, "decoder %s: %s\n", name, c.help)
	for _, f := range c.flags {
		arg := " VALUE"
		switch {
		case f.bool:
			arg = ""
		case f.multi:
			arg = " VALUE..."
		}
		fmt.Fprintf(w, "  -%s%s\n      %s\n", f.name, arg, f.help)
	}
	return nil
}

// run dispatches a command line; it is main without the exit.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		if len(args) > 1 {
			if err := help(stdout, args[1]); err != nil {
				fmt.Fprintln(stderr, "decoder:", err)
				return 2
			}
			return 0
		}
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "decoder: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	if err := c.run(args[1:], stdout); err != nil {
		fmt.Fprintln(stderr, "decoder:", err)
		return 1
	}
	return 0
}

func main() {
	nlblas.Use()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
