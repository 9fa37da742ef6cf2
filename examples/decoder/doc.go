// Command decoder turns fMRI files into decoded latent vectors and scores
// them.
//
//	decoder betas    -bold RUN.nii.gz... -events RUN_events.tsv... [-mask MASK.nii.gz] -out BETAS.npy
//	decoder fit      -x X.npy -y Y.npy -alphas LO:HI:N [-per-target] [-cv loo|K] -out MODEL.npz
//	decoder predict  -model MODEL.npz -x X.npy [-rescale] -out PRED.npy
//	decoder evaluate -pred PRED.npy -true TRUE.npy
//
// and, for the demonstration on a simulated participant:
//
//	decoder simulate -images IMAGES-idx3-ubyte.gz -out DIR
//	decoder latents  -root DIR -train TRAIN.tsv -test TEST.tsv -k 50 -out-train ZTRAIN.npy -out-test ZTEST.npy
//	decoder topixels -pca PCA.npz -z Z.npy -out PIXELS.npy
//
// Every .npy is float32 or float64 with one row per sample. Run
// "decoder help COMMAND" for a command's options. demo.sh chains the
// commands on a simulated Generic-Object-Decoding experiment.
//
// The program installs the project's pure-Go BLAS (package blas) for its
// matrix products.
package main
