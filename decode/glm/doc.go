// Package glm estimates responses from fMRI time series with general
// linear models: SPM's canonical haemodynamic response, event regressors,
// cosine drift terms, and single-trial betas (LSA and LSS).
//
// HRF samples SPM's double-gamma response (spm_hrf.m); its values match
// SPM's own output for the 54 parameter sets of nipy's spm_hrfs.mat to
// 3e-15. DCTBasis is spm_dctmtx and CosineDrift the drift regressors of
// SPM's high-pass filter (fix(2 N TR / cutoff) cosines, 128 s by default).
//
// Timing.Regressor convolves events (boxcars, or impulses for duration 0)
// with the HRF on a grid of TR/16, spreading each event on the grid with
// linear weights so that onsets between grid points are exact to second
// order; a sustained stimulus of amplitude 1 gives a plateau of 1. The
// tests compare it with numerical integration of the continuous HRF
// (error below 2e-4 of the peak).
//
// TrialBetas turns runs (timing, events, a volumes-by-voxels matrix) into
// one beta per trial and voxel: LSA fits one GLM per run with a regressor
// per trial; LSS (Mumford et al. 2012) fits, for each trial, that trial
// against the other trials pooled (optionally by trial_type), with the
// confounds projected out once (Frisch-Waugh-Lovell). Events that are not
// trials become nuisance regressors. Per-run z-scoring of the time series
// and of the betas is optional. ConditionBetas is the classic
// condition-wise GLM. Average averages repeated presentations.
//
// Bad input is an error that names the run, trial or voxel: NaN or Inf in
// the data, runs with different voxel counts, events without a duration or
// after the end of the run, and singular designs (a regressor of zeros, or
// one that is a combination of the others, for example two trials with the
// same onset in LSA). Constant voxels are not an error: z-scoring sets them
// to 0 and Betas.ConstantVoxels lists them.
package glm
