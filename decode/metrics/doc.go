// Package metrics scores decoded vectors and reconstructed images the way
// decoding papers report them.
//
//   - Pairwise: two-way identification. For every test sample i and every
//     other j, a trial is correct when the prediction for i correlates
//     better with the truth for i than with the truth for j; the accuracy
//     is the mean over ordered pairs (chance 0.5). It works in any space:
//     latents, features, pixels.
//   - PearsonPerDim and R2PerDim: per-dimension Pearson r and coefficient
//     of determination over samples (R2 as scikit-learn's r2_score with
//     multioutput="raw_values").
//   - PixCorr and SSIM: image metrics of MindEye/Brain-Diffuser tables:
//     Pearson correlation of raw pixels, and SSIM on grayscale with
//     Gaussian weights (sigma 1.5, population covariance, K1 = 0.01,
//     K2 = 0.03), as skimage's structural_similarity with
//     gaussian_weights=True, use_sample_covariance=False.
//   - AttributeAxis: classification of an attribute (gender, say) by
//     projecting decoded latents on the axis between the two class means
//     of training latents (VanRullen & Reddy 2019).
//
// Inputs are matrices with one row per sample. Mismatched shapes, NaN or
// Inf and too few samples are errors. Where a value is undefined (the
// correlation of a constant vector) the result is NaN and the function
// documents it; ties in Pairwise count one half.
package metrics
