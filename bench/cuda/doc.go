// Package cudabench benchmarks the CUDA backend (package cuda) on the
// project's generators, side by side with PyTorch (peer.py) on the same
// card in the same run. The benchmarks need a GPU and the build tags gpu
// and cgo; scripts/gpu-build.sh compiles them (go test -c -tags gpu) and
// scripts/device-check.sh runs them with the peer on the GPU machine.
//
//	BenchmarkBigGAN/batch{1,16,64}   BigBiGAN's generator at full width (ch 96)
//	BenchmarkVAEGAN/batch64          the published VAE-GAN generator, 128 px
//	BenchmarkGEMM                    8192^3 SGEMM: the card's measured rate
//
// Each model benchmark runs Engine.Run end to end (z uploaded, images
// copied back) and reports images/s and the TFLOP/s of its matrix
// products; variants -tf32 allow TF32 in cuBLAS, -own use the package's
// own SGEMM kernel. peer.py measures the same models in PyTorch eager
// float32 with TF32 off and on, also with the images copied to the host.
package cudabench
