// Package dataset feeds images to training and evaluation: MNIST-style IDX
// files held in memory, folders of JPEG/PNG images read on demand with the
// VAE-GAN paper's preprocessing (centre square crop, a further 0.8 centre
// crop, resize), and a Loader that cuts them into batches.
//
// A Loader's batches are a pure function of its seed and the step number:
// the order of epoch e is a permutation drawn from (seed, e), and the
// horizontal flips of step s from (seed, s). A training run resumed at step
// s therefore sees exactly the batches an uninterrupted run would.
//
// Memory.Batch cuts a contiguous batch out of an in-memory data set without
// a Loader, for evaluation and examples.
package dataset
