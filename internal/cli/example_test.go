package cli_test

import (
	"flag"
	"os"

	"github.com/neurolatent/neurolatent/internal/cli"
)

func ExampleHelp_Write() {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.Float64("snr", 0.65, "signal-to-noise ratio")
	fs.String("out", "out", "output `folder`")
	cli.Help{
		Usage:    "sim [flags]",
		Groups:   []cli.Group{{Title: "simulation", Flags: []string{"snr"}}, {Title: "output", Flags: []string{"out"}}},
		Examples: []string{"sim -snr 1"},
	}.Write(os.Stdout, fs)
	// Output:
	// usage: sim [flags]
	//
	// simulation:
	//   -snr float
	//       signal-to-noise ratio (default 0.65)
	//
	// output:
	//   -out folder
	//       output folder (default out)
	//
	// examples:
	//   sim -snr 1
}
