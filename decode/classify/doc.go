// Package classify assigns categories to brain patterns and measures how
// well that works across runs, as in Haxby et al. (2001, Science 293:
// 2425), "Distributed and overlapping representations of faces and
// objects in ventral temporal cortex".
//
// Correlation is that paper's classifier: a pattern (one row, one value
// per voxel) is given the category whose mean training pattern it
// correlates with best, Pearson's r across voxels. Pearson's r itself
// centres and scales each pattern across voxels, so only the shape of a
// pattern counts, not its mean level or spread. Ties go to the first
// category in sorted order.
//
// Voxel-wise normalisation is a separate step, ZScoreByRun: each voxel is
// z-scored within each run (mean 0, standard deviation 1 with the 1/n
// convention, over that run's samples; a voxel constant within a run
// becomes 0 there). It plays the part of Haxby's subtraction of each
// voxel's mean response across categories: it removes the run's overall
// level, which drifts from run to run, and puts voxels on one scale so
// that no few high-variance voxels dominate the correlation. It uses no
// labels and no other run, so doing it before a cross-validation leaks
// nothing from the training runs into the test run or back. For block
// betas with one block per category and run (the Haxby design), z-scoring
// within a run is exactly the subtraction of the mean across categories,
// followed by a scaling. glm.Options.ZScoreBetas does the same at the
// GLM stage.
//
// LeaveOneRunOut cross-validates any classifier (a Fitter) across runs
// and returns every sample's prediction, the accuracy and the confusion
// matrix; Result.ClassAccuracy gives the accuracy per category. Evaluate
// adds the uncertainty: a percentile bootstrap interval of the accuracy
// over the test samples (stats.Resamples and stats.PercentileInterval of
// package decode/stats: resampling with replacement, numpy's default
// linear interpolation) and a permutation p-value that shuffles the
// labels within each run and redoes the whole cross-validation, p =
// (k+1)/(N+1) with k the permutations that score at least the observed
// accuracy (stats.PValue). Shuffling within runs keeps each run's set of
// categories, which the run-wise z-scoring and the folds depend on.
//
// Bad input is an error naming what is wrong: NaN or Inf in a pattern,
// labels and patterns of different counts, a single run, patterns of one
// voxel or constant across voxels (their correlation is undefined).
package classify
