package main

import "github.com/neurolatent/neurolatent/internal/cli"

var analogyHelp = cli.Help{
	Usage: "analogy -vectors FILE (-questions FILE | -query EXPR) [flags]",
	Summary: `Evaluates word vectors on an analogy test set the way gensim's
evaluate_word_analogies does, or answers one query such as "queen - woman + man".`,
	Groups: []cli.Group{
		{Title: "input", Flags: []string{"vectors", "format", "restrict"}},
		{Title: "evaluation", Flags: []string{"questions", "method"}},
		{Title: "search", Flags: []string{"query", "k"}},
		{Title: "output and hardware", Flags: []string{"json", "gpu"}},
	},
	Examples: []string{
		"analogy -vectors glove.6B.100d.txt -questions testdata/latent/questions-words.txt",
		`analogy -vectors glove.6B.100d.txt -query "queen - woman + man" -k 5`,
	},
}
