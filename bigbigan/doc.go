// Package bigbigan is BigBiGAN (Donahue & Simonyan 2019): the BigGAN-128
// generator whose 120-d latent space Mozafari, Reddy & VanRullen (2020)
// decode natural scenes into, loaded from the public PyTorch conversion
// BigBiGAN_x1.pth, and a BigBiGAN at small scale (encoder, generator and
// joint discriminator) that trains on a CPU.
//
// # The generator
//
// Generator is BigGAN's generator in BigGAN-PyTorch's layout, with its
// state-dict keys (shared.weight, linear.*, blocks.i.0.* GBlocks,
// blocks.3.1.* self-attention, output_layer.0.* and output_layer.2.*), built
// from package nn's layers (nn.GBlock, nn.SelfAttention, nn.CondBatchNorm,
// nn.StoredBatchNorm, nn.SNLinear, nn.SNConv2d). z [N,120] splits into six
// chunks of 20: the first goes through the 20->24576 linear layer (seen as
// [N,1536,4,4]), the others, each after the class embedding
// (shared.weight[0], class 0), condition the five blocks' batch norms;
// then batch norm (eps 1e-5), ReLU, a 3x3 convolution and tanh give
// [N,3,128,128] in [-1,1].
//
// LoadGenerator reads BigBiGAN_x1.pth directly (tensor.LoadPyTorch, a
// safe unpickler), or safetensors / .npz with the same keys, or the weights
// of a trained BiGAN (whose generator it returns). InferConfig
// reads the widths, resolution, latent size, embedding and attention
// position from the shapes, so reduced-width checkpoints of the layout load
// too; a state dict of another architecture gets one *nn.LoadError listing
// every missing, unexpected and mis-shaped key, and a z of the wrong width
// a clear error. Loading costs the file's size in memory: the generator
// takes the loaded tensors without copying them (its skeleton allocates no
// weights of its own), and spectral norm is folded once, in place, exactly
// as the port does in eval mode: W/sigma with sigma from one power step
// from the stored u0 (nn.PowerStep, nn.FoldSpectralNorm's arithmetic); sv0
// is never read. (nn.FoldAll would keep a folded copy beside the raw
// weights, twice the memory.)
//
// Inference runs on nn/graph. By default the graph of the whole network is
// compiled once per batch size and kept, with its buffers; LowMemory runs
// it stage by stage, freeing each stage's buffers before the next, so that
// the full-width model at batch 1 needs about twice the weights' size
// (bench/bigbigan/RESULTS.md). Sample draws z with BigGAN's truncation
// trick (values beyond a threshold are redrawn), Path and Interpolate
// follow lerp or slerp paths (package latent's Interpolate, the module's
// one implementation; a slerp between opposite codes is an error), SavePNG
// writes grids.
//
// # BigBiGAN at small scale
//
// BiGAN trains an Encoder (a residual convolutional trunk and an MLP head
// giving the mean and standard deviation of q(z|x)), a Generator of the
// same BigGAN design and a joint Discriminator whose F (a BigGAN trunk on
// x), H (an MLP on z) and J (an MLP on both) give the scores s_x, s_z and
// s_xz, with BigBiGAN's hinge losses. Each step is one forward pass whose
// two objectives (encoder and generator together; discriminator) get their
// gradients through graph.Objectives; gan.Train runs the loop. Small32 is
// the 32x32 Fashion-MNIST model shipped in assets/bigbigan, which Shipped
// loads in one call; Evaluate
// measures a linear probe on mu(x) and reconstructions G(mu(x)) beside PCA.
//
// # Inverting the generator
//
// A short BiGAN run leaves an encoder whose code carries the class but
// that the generator does not map back to the image. TrainEncoder (an
// Inverter driven by gan.Train) trains the encoder alone to invert the
// frozen generator: the pixel error of G(mu(x)) on real images, plus an
// optional latent term (mu(G(z)) - z)^2 on prior samples, every layer in
// inference mode. The shipped encoder was trained that way from the BiGAN
// run's encoder; docs/bigbigan/README.md gives the command and the
// measurements.
package bigbigan
