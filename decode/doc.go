// Package decode turns fMRI data into latent vectors: the brain side of
// neurolatent.
//
// The pipeline, file to latent:
//
//	runs (4D NIfTI) + events.tsv --nifti, events--> time series per voxel
//	  --glm--> one beta per trial and voxel (LSA or LSS, drift, z-scoring)
//	  --ridge--> decoded latents (RidgeCV, leave-one-out or K-fold,
//	             alpha per latent dimension)
//	  --metrics--> pairwise identification, r, R^2, PixCorr, SSIM
//
// This package holds the glue and the methods that sit between the
// subpackages:
//
//   - LoadRuns and TrialBetasFromFiles read runs from files (through a
//     mask) and estimate single-trial betas.
//   - LoadAttributeRuns, SplitRuns and BlockBetasFromAttributes do the
//     same for a block design given as one 4D image of concatenated runs
//     and a PyMVPA-style attribute table (label and run per volume): one
//     GLM per run with a regressor per block.
//   - Encoder is the encoding-model inversion of VanRullen & Reddy (2019):
//     fit voxels = [z, 1] W on training trials, decode
//     z = (W W^T)^-1 W y.
//   - EncodingR2 and TopVoxels select voxels by the cross-validated R^2 of
//     an encoding model (on training data only).
//   - FitPCA is a principal component basis: the decoding targets of a
//     PCA baseline, or a latent space of images that needs no model.
//
// Subpackages: nifti (NIfTI-1/2 files), events (BIDS events.tsv and
// PyMVPA attribute tables), glm (HRF, designs, trial betas), ridge
// (RidgeCV), metrics, classify (category classification across runs),
// and sim, a simulated participant that writes a
// Generic-Object-Decoding-shaped experiment as NIfTI runs and events files
// from any image set.
//
// examples/decoder is the command-line front end. The package layout
// follows the pipeline's stages: each subpackage is usable alone (nifti
// and events for any fMRI work, ridge for any regression), and only this
// package depends on several of them.
package decode
