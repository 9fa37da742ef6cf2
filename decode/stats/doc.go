// Package stats gives decoding scores their uncertainty, over the test
// stimuli that a study happened to show:
//
//   - Interval: a percentile bootstrap interval, resampling test stimuli
//     with replacement (numpy's default linear interpolation between order
//     statistics);
//   - PermutationP: a permutation p-value that shuffles which true
//     stimulus belongs to which prediction, exact (every permutation) when
//     there are no more permutations than asked for, otherwise Monte Carlo
//     with p = (k+1)/(N+1);
//   - Compare: the paired difference of two decoders scored on the same
//     stimuli, with a bootstrap interval from shared resamples and a
//     two-sided sign-flip p-value on the per-stimulus differences.
//
// The conventions are scipy.stats.permutation_test's (scipy 1.10): the
// exact/Monte Carlo switch, the relative tolerance of 1e-14 when comparing
// null statistics with the observed one, and a two-sided p of twice the
// smaller one-sided p, clipped to 1. scripts/golden/decode_stats.py checks
// them against scipy and numpy.
//
// A statistic sees the test stimuli through two index slices: items are
// the stimuli taken (a bootstrap sample repeats some), and perm, when not
// nil, gives the true stimulus perm[i] paired with prediction i. The
// identification and similarity scores of package decode/metrics have
// this form (metrics.Similarity).
package stats
