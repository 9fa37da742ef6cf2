// Package examples holds no code: its folders are neurolatent's example
// programs (reconstruct is the main job). The test here builds every one
// and checks that they agree on the command line: -h, -help, "help" and
// "CMD help SUB" / "CMD SUB -h" print help to stdout and exit 0, and a
// bad flag exits 2 with a message on stderr (package internal/cli).
package examples
