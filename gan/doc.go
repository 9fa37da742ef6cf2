// Package gan holds a DCGAN (generator and discriminator for 32, 64 or
// 128 px images, non-saturating BCE or hinge losses) and the training loop
// that the VAE-GAN and BigBiGAN reuse.
//
// Train drives any Trainable: batches come from a dataset.Loader, noise
// from a generator seeded by (seed, step), so a run resumed from its
// checkpoint continues exactly as an uninterrupted one. Along the way it
// shows a progress bar with the losses and the time left, writes sample
// grids every N steps, the loss history (losses.csv) and curves
// (losses.png), and atomic checkpoints. A NaN or Inf loss stops training
// with an error before the weights are updated, and the last checkpoint on
// disk stays the last good state.
//
// Config.Loss is a LossKind, BCE or Hinge. A Trainable's CheckpointConfig
// is the configuration saved with its checkpoints, untyped; each model's
// Config method returns it typed (gan.Config, vae.Config,
// bigbigan.BiGANConfig).
package gan
