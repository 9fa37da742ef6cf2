package main

import "github.com/neurolatent/neurolatent/internal/cli"

var rsaHelp = cli.Help{
	Usage: "rsa [flags]",
	Summary: `Representational similarity analysis on Kriegeskorte et al. (2008): the 92
images' RDMs in the shipped models' latent spaces and baselines, compared
with human and monkey IT, with bootstrap intervals and permutation tests.
Writes rsa.png and rsa.json.`,
	Groups: []cli.Group{
		{Title: "data", Flags: []string{"data", "pca-images"}},
		{Title: "RDMs and their comparison", Flags: []string{"distance", "method"}},
		{Title: "statistics", Flags: []string{"resamples", "perms", "seed", "random-seed"}},
		{Title: "output", Flags: []string{"out", "json"}},
	},
	Examples: []string{
		"rsa                                # reads ../shared/data/real/kriegeskorte92",
		"rsa -method pearson -distance euclidean -json",
	},
}
