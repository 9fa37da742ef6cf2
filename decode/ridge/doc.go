// Package ridge is ridge regression with built-in cross-validation of the
// regularisation, for fMRI decoding and encoding models where samples
// (trials) are few and features (voxels) many.
//
// Fit chooses alpha from a grid, for all targets together or per target
// (Config.PerTarget), by efficient leave-one-out cross-validation
// (Config.Folds = 0) or K-fold cross-validation (Folds = K, or FoldOf for
// folds such as runs), then returns the Model (Coef, Intercept, the chosen
// Alpha, the CV scores). FitAlpha fits with fixed alphas. Predict applies a
// model; Rescale gives predictions the training targets' mean and standard
// deviation. Save and Load keep models in .npz files. FitColumns is Fit's
// leave-one-out dual fit for training data read in blocks of columns
// (Columns; tensor.NPYMatrix reads a .npy file from disk so), for more
// voxels than fit in memory, with the same numbers.
//
// # What it computes
//
// Leave-one-out follows scikit-learn's RidgeCV (cv=None, the _RidgeGCV
// estimator of scikit-learn 1.2): X and Y are centred (the intercept is not
// penalised), the score of an alpha for a target is minus the mean squared
// leave-one-out residual, residuals come in closed form (c / diag(G^-1) in
// the dual form, (y - fit) / (1 - h) in the primal), and the best alpha is
// the first with the highest score (ties go to the earlier alpha in the
// grid). Golden tests against scikit-learn 1.2.1 give the same alphas,
// in both forms and both reductions, with and without intercept, per
// target or shared; predictions agree within 3e-12 relative in the form
// scikit-learn uses and within 3e-11 when the other form is forced
// (coefficients and intercepts 2e-10, leave-one-out scores 7e-10).
//
// K-fold cross-validation follows himalaya (Gallant lab): contiguous folds
// sized as scikit-learn's KFold, one decomposition per fold serving every
// alpha, summed squared error of the held-out predictions, then a refit on
// all samples with the chosen alphas.
//
// # How
//
// The dual form (samples <= features, or Mode = Dual) works with the
// n-by-n Gram matrix K = Xc Xc^T, the primal form with the p-by-p matrix
// Xc^T Xc; both are built from centred column or row blocks of X, so X
// itself is never copied. Where scikit-learn eigendecomposes that matrix
// once so that every alpha is cheap, this package only reduces it,
// S = Q B Q^T with Q orthogonal and B banded, and never computes
// eigenvectors: (S + alpha I)^-1 applied to a matrix is a banded solve
// between two products with Q, and diag(Q (B + alpha I)^-1 Q^T) is a
// forward substitution over the rows of Q^T. That saves the eigenvector
// iterations, the most expensive part of a symmetric eigensolver, and
// gives the same numbers.
//
// Below order 768, B is tridiagonal (blocked Householder reduction as
// LAPACK's sytrd, tridiag.go; the solves are LDL^T recurrences,
// shifted.go). From 768 on, B has half-bandwidth 32 (band.go): each panel
// of 32 rows is reduced by an LQ factorisation and the trailing matrix
// updated on both sides by matrix products, the first stage of the
// two-stage reductions of PLASMA and ELPA; the banded Cholesky solves
// then run a block of 32 rows at a time as matrix products
// (bandsolve.go). The one-stage tridiagonal reduction needs one
// matrix-vector product with the whole trailing matrix per column and is
// bound by memory bandwidth on large matrices: at n = 3000 the band
// reduction takes 1.3 s where it takes 4.1 s (2 cores).
//
// The heavy lifting is matrix products through gonum's registered BLAS
// (blas64): installing a fast implementation (the project's package blas,
// with blas.Use()) speeds up every part. Work is split over GOMAXPROCS
// goroutines without changing results.
//
// # Devices
//
// Config.Device hands a fit an accelerator (package cuda's Engine, built
// with -tags gpu): the dual leave-one-out fit then runs there, everything
// else on the CPU. It is a field of the configuration, not a process-wide
// setting, so two fits in one program can run on different devices. The
// module's rule: an algorithm that can use a device takes it in its
// configuration (ridge.Config.Device, recon.Options.Device); a model or an
// index that keeps state keeps a per-object setter (vae.VAEGAN.SetEngine,
// latent.Bank.SetAccelerator).
//
// # Bad input
//
// X and Y with different row counts, NaN or Inf anywhere, non-positive
// alphas, too few samples or folds are errors that name the matrix, row
// and column. Constant or duplicated features are fine (alpha > 0 makes
// every system regular; a constant feature gets weight 0). A constant
// target is fitted by its mean, every alpha scores the same and the first
// is reported, as scikit-learn does.
package ridge
