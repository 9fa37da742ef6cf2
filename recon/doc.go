// Package recon reconstructs seen images from brain activity, end to end:
// the pipeline of the main job (examples/reconstruct), usable from Go.
//
//	stimuli + responses --Data--> trial betas (train) and averaged betas (test)
//	  --Decode--> voxel selection (cross-validated encoding R^2, training
//	              trials only), decoding into the model's latent space
//	              (ridge with cross-validated alphas, or the encoding-model
//	              inversion of VanRullen & Reddy 2019), images from the
//	              generator, and the same in the PCA space of the same size
//	              (the paper's baseline)
//	  --Result--> pairwise identification in latent and pixel space,
//	              PixCorr, SSIM, the autoencoder ceiling; PNG, JSON, plot
//
// Data comes from a simulated participant (Simulate: NIfTI runs and BIDS
// events written to disk, then read back through the GLM, as real data
// would be), from NIfTI runs, events and confounds files (FromRunFiles),
// or from trial betas already estimated (FromBetaFiles). A Model is any generator with a way
// to give stimuli their latent codes: the VAE-GAN's encoder, BigBiGAN's
// encoder, or a GAN inverted by gradient descent.
//
// Result.Write saves the report files; Result.WriteDerivative saves the
// run as a BIDS derivative (decoded latents, per-stimulus scores and
// reconstructions, chosen alphas, and NIfTI maps of encoding R^2, the
// selected voxels, the ridge weights and the noise ceiling in the
// participant's space) for nilearn, nibabel or pandas.
package recon
