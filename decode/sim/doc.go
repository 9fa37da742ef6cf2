// Package sim simulates a participant in an image-decoding fMRI
// experiment, so that the whole real pipeline (NIfTI runs and events
// files, GLM, ridge, metrics) can run without real data, and writes the
// experiment to disk as a small BIDS dataset.
//
// The design is shaped like Generic Object Decoding (Horikawa & Kamitani
// 2017), the dataset of the BigBiGAN decoding study: many training images
// shown once, a few test images shown many times, images for 1 s every 3
// to 4 s, TR 2 s, runs of about 3.5 minutes (DefaultConfig: 1,200 + 50
// images, 35 test repeats). Any image set works (New takes an ImageSet;
// LoadIDX reads MNIST-style files such as Fashion-MNIST).
//
// Voxels are driven by image features, never by a generative model's
// latent code, so decoding latents from them is not circular:
//
//   - early visual voxels: population receptive fields (a Gaussian window,
//     retinotopically arranged over the grid) on the local contrast energy
//     of one of 8 Gabor channels (4 orientations, 2 spatial frequencies),
//     with compressive spatial summation (Kay et al. 2013);
//   - higher visual voxels: random combinations of the units of a random
//     rectified layer on pooled energy features (smooth, nonlinear,
//     larger receptive fields).
//
// Each voxel's responses are z-scored over the images shown and scaled by
// a gain in [0.5, 1.5]; each trial adds this image-specific response and a
// common evoked response, convolved with one of five HRF variants (SPM's
// double gamma with shifted delays, so the analysis's canonical HRF is
// only approximately right). Noise is AR(1) (coefficient AR) with a
// standard deviation set per voxel from the SNR: the standard deviation
// over time of the voxel's image-specific signal divided by SNR. Slow
// cosine drifts of DriftSD times the noise are added. Signals are percent
// changes of a baseline near 1000 inside an ellipsoid "brain"; voxels
// outside it are exactly 0.
//
// Write produces 4D float32 NIfTI runs, BIDS events.tsv files (onset,
// duration, trial_type, stim_file, image_index), the images as PNG
// stimuli, visual and brain masks, and the noise-free responses for
// checking. Everything is reproducible from Config.Seed.
package sim
