package nn

// Losses, written with Backend ops so that every backend that trains gets
// them with their gradients. Each returns a scalar.

// BCEWithLogits is the mean binary cross-entropy between sigmoid(logits)
// and targets in [0,1], computed stably as softplus(x) - x*t (PyTorch's
// binary_cross_entropy_with_logits).
func BCEWithLogits(b Backend, logits, targets Tensor) Tensor {
	return Mean(b, Sub(b, Softplus(b, logits), Mul(b, logits, targets)))
}

// BCEWithLogitsLabel is BCEWithLogits against a constant label (1 for
// real, 0 for fake in a GAN).
func BCEWithLogitsLabel(b Backend, logits Tensor, label float64) Tensor {
	return Mean(b, Sub(b, Softplus(b, logits), Scale(b, logits, label)))
}

// HingeD is the hinge loss of a discriminator (BigGAN, BigBiGAN):
// mean(relu(1 - real)) + mean(relu(1 + fake)).
func HingeD(b Backend, real, fake Tensor) Tensor {
	r := Mean(b, ReLU(b, b.Unary(real, UnaryFunc{Kind: AffineKind, Alpha: -1, Beta: 1})))
	f := Mean(b, ReLU(b, AddScalar(b, fake, 1)))
	return Add(b, r, f)
}

// HingeG is the generator's side of the hinge loss: -mean(fake).
func HingeG(b Backend, fake Tensor) Tensor { return Neg(b, Mean(b, fake)) }

// MSE is the mean squared difference.
func MSE(b Backend, x, y Tensor) Tensor { return Mean(b, Square(b, Sub(b, x, y))) }

// KLDiagGaussian is KL(N(mu, sigma^2) || N(0, I)) summed over the latent
// axis and averaged over the batch, from mu and log sigma [N, D]:
// 0.5 * sum(mu^2 + sigma^2 - 1 - 2 log sigma).
func KLDiagGaussian(b Backend, mu, logSigma Tensor) Tensor {
	s := mu.Shape()
	n := 1.0
	if len(s) > 0 {
		n = float64(s[0])
	}
	sigma2 := Exp(b, Scale(b, logSigma, 2))
	terms := Sub(b, Add(b, Square(b, mu), sigma2), AddScalar(b, Scale(b, logSigma, 2), 1))
	return Scale(b, Sum(b, terms), 0.5/n)
}

// FeatureMatching is Larsen et al.'s learned similarity: the squared
// difference between discriminator features of real and reconstructed
// images, summed over features and averaged over the batch (the negative
// log-likelihood of a unit Gaussian, up to a constant).
func FeatureMatching(b Backend, real, recon Tensor) Tensor {
	s := real.Shape()
	n := 1.0
	if len(s) > 0 {
		n = float64(s[0])
	}
	return Scale(b, Sum(b, Square(b, Sub(b, real, recon))), 0.5/n)
}
