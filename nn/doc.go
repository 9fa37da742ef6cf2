// Package nn is the backend-neutral neural-network layer of neurolatent.
//
// A model is written once against the Backend interface and runs on any
// engine: the Gorgonia graph backend (package nn/graph) for CPU inference
// and training, or the CUDA backend for GPUs. Model code calls Backend
// methods (Conv2d, BatchNorm, Linear, ...) or the functional helpers here
// (ReLU, Add, Mean, ...); errors are sticky on the backend, so a wrong
// shape surfaces once, as an error naming the op, never as a panic.
//
// Layers are small structs of *Param fields whose `nn:"key"` struct tags
// give PyTorch's (or BigGAN-PyTorch's) state-dict names. Params walks a
// model to list them, StateDict exports them and LoadStateDict fills them
// from any state dict (safetensors, .npz, PyTorch .pth via package
// tensor), reporting every missing key, unexpected key and shape mismatch
// in one error. Shape inference (ConvShape, BroadcastShape, ...) is shared
// by all backends.
//
// The layers cover what the project's generators need: Linear, Conv2d
// (asymmetric padding, TensorFlow 'SAME'), ConvTranspose2d (PyTorch's
// output_padding and TensorFlow's 'SAME' cropping), BatchNorm2d, BigGAN's
// conditional batch norm, spectral normalisation (power iteration in
// training, folded once for inference), the self-attention block and the
// residual GBlock; losses for GAN and VAE training are in loss.go.
// FoldBatchNorm is the one definition of batch norm's inference form
// (per-channel scale and shift) that the backends share.
package nn
