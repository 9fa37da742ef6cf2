// Package cli holds what every example program shares on the command
// line, so they behave alike: -h, -help and "help" print the long help to
// stdout and exit 0; a usage error (a bad flag, a missing argument, a
// value out of range) prints the error and a pointer to -h and exits 2;
// any other failure exits 1. Long help lists the flags grouped by
// purpose, then examples. Bar draws a progress bar with an ETA on a stage
// that takes more than a few seconds.
package cli
