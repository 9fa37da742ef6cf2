// Package rsa is representational similarity analysis (Kriegeskorte, Mur
// & Bandettini 2008; Nili et al. 2014): it asks whether two systems (a
// brain region and a model's latent space, or two species) represent a
// set of stimuli alike, by comparing how each one tells the stimuli
// apart, without any mapping between their units.
//
//   - An RDM (representational dissimilarity matrix) holds the
//     dissimilarity of every pair of stimuli. Compute makes one from codes
//     (latent vectors, response patterns, pixels) under a Distance:
//     1 - Pearson correlation, Euclidean, or cosine; NewRDM, FromVector
//     and LoadNPY take measured ones.
//   - Compare correlates two RDMs' upper triangles: Spearman's rho,
//     Kendall's tau-a (for models that predict ties) or Pearson's r.
//   - NoiseCeiling bounds what any model can reach given how much the
//     subjects' RDMs disagree: the upper bound correlates each subject
//     with the mean of all subjects, the lower bound with the mean of the
//     others.
//   - Evaluate scores models against several subjects' RDMs with the
//     field's inference: percentile intervals from bootstrapping the
//     stimuli, p-values from permuting the stimulus labels, and the noise
//     ceiling with intervals from the same resamples; Difference compares
//     two models on those resamples, and Test relates just two RDMs.
//
// The definitions are rsatoolbox's (rsatoolbox.rdm.compare,
// rsatoolbox.inference.boot_noise_ceiling and pool_rdm), the p-value and
// interval conventions those of package decode/stats (scipy's).
// scripts/golden/rsa.py recomputes everything with numpy and scipy,
// independently, and the tests compare with its output.
//
// RDMs are float64 and immutable once made; every function checks its
// input (sizes, NaN or infinite dissimilarities, fewer than MinStimuli
// stimuli, constant RDMs where a correlation is undefined) and returns an
// error naming the RDM at fault.
package rsa
