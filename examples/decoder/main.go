package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	nlblas "github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/internal/cli"
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

// examples are a command line per command, for its help; demo.sh chains them.
var examples = map[string]string{
	"betas":    "decoder betas -bold ds/sub-01/func/*task-train*_bold.nii.gz -events ds/sub-01/func/*task-train*_events.tsv -mask mask.nii.gz -out train.npy",
	"fit":      "decoder fit -x train.npy -y ztrain.npy -alphas 0:8:33 -per-target -out model.npz",
	"predict":  "decoder predict -model model.npz -x test.npy -out zhat.npy",
	"evaluate": "decoder evaluate -pred zhat.npy -true ztest.npy",
	"simulate": "decoder simulate -images assets/fashion-mnist/train-images-idx3-ubyte.gz -train 1200 -test 50 -repeats 35 -out ds",
	"latents":  "decoder latents -root ds -train train.tsv -test test.tsv -k 50 -out-train ztrain.npy -out-test ztest.npy -pixels-test pixtest.npy -pca pca.npz",
	"topixels": "decoder topixels -pca pca.npz -z zhat.npy -out pixhat.npy",
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: decoder COMMAND [options]")
	fmt.Fprintln(w, "\nfMRI files to decoded latent vectors and their scores, one step per command.")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].help)
	}
	fmt.Fprintln(w, "\nrun 'decoder help COMMAND' or 'decoder COMMAND -h' for a command's options;")
	fmt.Fprintln(w, "examples/decoder/demo.sh chains the commands on a simulated participant.")
}

func help(w io.Writer, name string) error {
	c, ok := commands[name]
	if !ok {
		return fmt.Errorf("unknown command %q", name)
	}
	fmt.Fprintf(w, "usage: decoder %s [options]\n\n%s\n\noptions:\n", name, c.help)
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
	if ex := examples[name]; ex != "" {
		fmt.Fprintf(w, "\nexample:\n  %s\n", ex)
	}
	return nil
}

// run dispatches a command line; it is main without the exit.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if cli.IsHelp(args[0]) {
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
	for _, a := range args[1:] {
		if cli.IsHelp(a) && a != "help" { // decoder COMMAND -h
			help(stdout, args[0])
			return 0
		}
	}
	// Usage errors (an option missing or malformed) exit 2, failures 1.
	return cli.Report(stderr, "decoder", c.run(args[1:], stdout))
}

func main() {
	nlblas.Use()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
