// Package vae is the VAE-GAN of VanRullen & Reddy (2019), whose latent
// space their fMRI face decoding maps onto, after Larsen et al. (2016).
//
// Published() is the published architecture exactly (128x128x3 input,
// 3x3 stride-2 TensorFlow-'SAME' convolutions 192-256-384-512-768 with
// batch norm (eps 1e-6) and ELU, a 12288->1024 linear, mu = tanh(.),
// log sigma = 0.5 tanh(.), and the mirror-image generator with five
// transposed convolutions); ImportTF loads the original TensorFlow
// checkpoint once converted to .npz, by its variable names and layouts.
// Small32 and Small64 are CPU-sized variants; the repository ships Small32
// models trained on Fashion-MNIST and on MNIST, which Shipped and
// ShippedMNIST load in one call (see ExampleShipped: encode, interpolate,
// decode). Config returns a model's configuration typed; Config.Output is
// an Output constant.
//
// A VAEGAN encodes images to (mu, sigma), decodes latent codes, samples
// and reconstructs, and trains with Larsen et al.'s three losses (KL and
// feature matching for the encoder, gamma-weighted feature matching plus
// the GAN loss for the generator, the GAN loss for the discriminator) and
// three Adam optimizers, all from one forward pass per step.
package vae
