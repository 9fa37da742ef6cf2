package main

import "github.com/neurolatent/neurolatent/internal/cli"

var haxbyHelp = cli.Help{
	Usage: "haxby [flags]",
	Summary: `Classifies the 8 categories of Haxby et al. (2001) from subject 1's ventral
temporal cortex (correlation classifier, leave one run out), with bootstrap
intervals and permutation p-values. Reads ../shared/data/real/haxby2001-sub1
by default.`,
	Groups: []cli.Group{
		{Title: "data", Flags: []string{"data", "routes", "runs-bold", "runs-mask"}},
		{Title: "patterns", Flags: []string{"patterns", "hp", "shift"}},
		{Title: "statistics", Flags: []string{"boot", "perm", "seed"}},
		{Title: "output", Flags: []string{"json", "quiet"}},
	},
	Examples: []string{
		"haxby                                   # both routes, all pattern kinds",
		"haxby -routes 4d -patterns betas -json haxby.json",
		"haxby -routes runs -runs-bold bold_1slice.nii.gz -runs-mask mask.nii.gz",
	},
}
