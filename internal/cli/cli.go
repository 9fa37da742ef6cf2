package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// UsageError is a mistake in the command line: the program exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, a ...any) error {
	return &UsageError{fmt.Errorf(format, a...)}
}

// Usage marks err (when not nil) as a usage error.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	var u *UsageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &UsageError{err}
}

// Code is the exit status for err: 0 for nil and for a help request, 2
// for a usage error, 1 otherwise.
func Code(err error) int {
	var u *UsageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// Report writes err to w (nothing for nil or a help request), with a
// pointer to the help after a usage error, and returns Code(err).
func Report(w io.Writer, name string, err error) int {
	code := Code(err)
	if code != 0 {
		fmt.Fprintf(w, "%s: %v\n", name, err)
	}
	if code == 2 {
		fmt.Fprintf(w, "run '%s -h' for help\n", name)
	}
	return code
}

// Exit reports err on stderr and exits with Code(err). It is the last
// line of every example's main.
func Exit(name string, err error) {
	os.Exit(Report(os.Stderr, name, err))
}

// IsHelp reports whether arg asks for help.
func IsHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// Group is a titled set of flags in the long help.
type Group struct {
	Title string
	Flags []string // names without the dash, in the order shown
}

// Help is a program's (or a subcommand's) long help.
type Help struct {
	Usage    string   // "reconstruct [flags]"
	Summary  string   // what it does, a few lines
	Groups   []Group  // flags by purpose; flags in no group are listed last under "other"
	Examples []string // command lines, each optionally followed by "  # comment"
}

// Write prints the long help of the flags in fs.
func (h Help) Write(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n", h.Usage)
	if h.Summary != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(h.Summary, "\n"))
	}
	seen := map[string]bool{}
	for _, g := range h.Groups {
		var fl []*flag.Flag
		for _, n := range g.Flags {
			if f := fs.Lookup(n); f != nil && !seen[n] {
				fl = append(fl, f)
				seen[n] = true
			}
		}
		writeGroup(w, g.Title, fl)
	}
	var rest []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if !seen[f.Name] {
			rest = append(rest, f)
		}
	})
	title := "other flags"
	if len(h.Groups) == 0 {
		title = "flags"
	}
	writeGroup(w, title, rest)
	if len(h.Examples) > 0 {
		fmt.Fprintf(w, "\nexamples:\n")
		for _, e := range h.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

func writeGroup(w io.Writer, title string, fl []*flag.Flag) {
	if len(fl) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, f := range fl {
		name, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n      %s", line, strings.ReplaceAll(usage, "\n", "\n      "))
		if !isZero(f) {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	}
}

// isZero reports whether the flag's default is its type's zero value, which
// flag.PrintDefaults does not show either.
func isZero(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "[]":
		return true
	}
	return false
}

// Parse parses args into fs. -h or -help writes h to stdout and returns
// flag.ErrHelp (exit 0); a bad flag or a positional argument returns a
// UsageError (exit 2). The flag package's own messages are silenced, so
// each error is printed once, by Exit.
func Parse(fs *flag.FlagSet, args []string, h Help, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			h.Write(stdout, fs)
			return flag.ErrHelp
		}
		return &UsageError{err}
	}
	if fs.NArg() > 0 {
		if IsHelp(fs.Arg(0)) {
			h.Write(stdout, fs)
			return flag.ErrHelp
		}
		return Usagef("unexpected argument %q (flags go before arguments)", fs.Arg(0))
	}
	return nil
}
