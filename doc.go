// Package neurolatent decodes brain activity into images through the latent
// spaces of deep generative models. This package holds no code: it is the
// map of the module, whose entry points are the packages and commands below.
//
// # End to end
//
//   - recon: the whole decoding study from Go. Data (a simulated
//     participant, NIfTI runs with BIDS events, or trial betas), Decode
//     (voxel selection, ridge or encoding-model inversion into a model's
//     latent space, images from the generator, the PCA baseline) and Result
//     (identification, PixCorr, SSIM, figures).
//   - examples/reconstruct: the main job, recon as a command
//     (go run ./examples/reconstruct), on the data and weights that ship in
//     the repository.
//
// # The brain side: fMRI to latent vectors
//
//   - decode: the pipeline from files to latent vectors, the PCA baseline
//     and the encoding-model inversion (Encoder).
//   - decode/nifti, decode/events: NIfTI-1/2 images and BIDS events files.
//   - decode/glm: haemodynamic response, design matrices, single-trial betas.
//   - decode/ridge: ridge regression with cross-validated regularisation.
//   - decode/metrics: pairwise and n-way identification, correlations, R²,
//     PixCorr, SSIM; decode/stats: their bootstrap intervals and tests.
//   - decode/classify: category classification across runs (Haxby 2001).
//   - decode/sim: a simulated participant, written as a small BIDS dataset.
//   - rsa: representational similarity analysis, brain against model.
//
// # The model side: generators and their latent spaces
//
//   - vae: the VAE-GAN of VanRullen & Reddy (2019), with its TensorFlow
//     import; assets ships small ones trained on Fashion-MNIST and MNIST.
//   - bigbigan: BigBiGAN's BigGAN-128 generator (Mozafari, Reddy &
//     VanRullen 2020) and a small trainable BigBiGAN.
//   - gan: a DCGAN and the training loop the VAE-GAN and BigBiGAN share.
//   - latent: latent-space algebra (arithmetic, interpolation, attribute
//     axes, nearest neighbours, word analogies as gensim scores them);
//     latent/wordvec
//     reads GloVe and word2vec files.
//   - dataset: image datasets and batch loading with the papers'
//     preprocessing.
//
// # Underneath
//
//   - nn: layers written once against a Backend; nn/graph runs them on the
//     CPU (Gorgonia), cuda on an NVIDIA GPU (build with -tags gpu);
//     nn/optim and nn/checkpoint train and resume them.
//   - tensor: host tensors and their file formats (npy, npz, safetensors,
//     PyTorch state dicts);
//     blas: the pure-Go matrix products the hot paths use.
//
// # Conventions across packages
//
//   - Array types: models take and return *tensor.Dense (float32); statistics,
//     regression and metrics take gonum matrices (float64). latent.FromDense
//     and latent.Vectors.Dense cross between a model and latent algebra.
//   - Devices: an algorithm takes its device in its configuration
//     (ridge.Config.Device, recon.Options.Device); an object that keeps
//     state has a setter (vae.VAEGAN.SetEngine, latent.Bank.SetAccelerator).
//   - Shipped models load in one call: vae.Shipped, vae.ShippedMNIST,
//     bigbigan.Shipped (see vae's ExampleShipped: encode two images,
//     interpolate, decode).
//
// # Commands
//
// Besides examples/reconstruct: examples/train (train a VAE-GAN or a
// DCGAN), examples/vaeeval (evaluate a trained VAE-GAN), examples/decoder
// (betas, fit, predict, evaluate from the command line), examples/sweep
// (decoding across SNRs and training sizes), examples/haxby and examples/rsa
// (real recordings), examples/bigbigan (generate, sample, interpolate,
// encode), examples/arithmetic and examples/analogy (latent-space algebra).
// Their documentation is go doc ./examples/NAME; README.md and docs/ give
// the results and BENCHMARKS.md the comparisons with PyTorch, scikit-learn
// and gensim.
package neurolatent
