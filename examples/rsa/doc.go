// Command rsa asks whether the project's latent spaces are brain-like:
// it compares how the encoders the project has represent Kriegeskorte et
// al.'s (2008) 92 object images with how human and monkey inferior
// temporal cortex (IT) do, by representational similarity analysis
// (package rsa).
//
//	go run ./examples/rsa -data ../shared/data/real/kriegeskorte92
//
// The 92 images (175x175 RGB) go through every encoder: the shipped
// VAE-GANs (Fashion-MNIST and MNIST) and the small BigBiGAN's encoder
// (32x32 grey models: the centre
// square is resized with the project's anti-aliased filter and converted
// to grey by ITU-R 601 luma), the two architectures with random weights, PCA of
// pixels fitted on the Fashion-MNIST images those models learned from and
// a random projection of the same size, and raw pixels at 32x32 grey and
// at full resolution. ONNX models are not included (a later issue). Each
// representation's RDM (1 - Pearson r between stimuli by default) is
// compared with the four human subjects' IT RDMs (each subject's two
// sessions averaged) and with the monkey IT RDM, by Spearman's rho by
// default, with 95% bootstrap intervals over stimuli, stimulus-label
// permutation p-values and the human noise ceiling. The monkey IT RDM
// and an animate/inanimate category model are scored alongside as
// references, and the human-monkey agreement of the paper (r = 0.49) is
// reproduced from the files.
//
// It prints a table (or, with -json, the whole result as JSON) and writes
// rsa.png (the bar chart with the noise-ceiling band) and rsa.json in -out.
package main
