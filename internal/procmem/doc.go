// Package procmem reads the process's own memory figures, for the
// benchmarks that report peak memory beside time (bench/stream,
// bench/scale): each size runs in its own process, so that the peak
// resident memory it reports is that size's alone.
package procmem
