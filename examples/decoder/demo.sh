#!/usr/bin/env bash
# Decodes a simulated participant end to end through the decoder commands:
# simulate (NIfTI runs + events) -> betas (GLM) -> latents (PCA of the
# images, a latent space the simulator does not use) -> fit (RidgeCV) ->
# predict -> evaluate, in latent and pixel space.
#
#   examples/decoder/demo.sh [IMAGES-idx3-ubyte.gz] [SNR] [WORKDIR]
#
# With no arguments it uses the Fashion-MNIST training images that ship in
# assets/fashion-mnist (20,000 images), with the
# Generic-Object-Decoding-sized design (1,200 training images, 50 test
# images x 35 repeats), SNR 0.8 and a fresh temporary work dir. Any IDX
# file works (Debian's dataset-fashion-mnist puts the full set in
# /usr/share/datasets/fashion-mnist); with the 600-image subset in
# testdata/decode/fashion the design shrinks to 500 + 50 images.
set -euo pipefail
cd "$(dirname "$0")/../.."
images=${1:-assets/fashion-mnist/train-images-idx3-ubyte.gz}
snr=${2:-0.8}
work=${3:-$(mktemp -d)}
train=1200
case "$images" in *testdata/decode/fashion*) train=500 ;; esac
mkdir -p "$work"
go build -o "$work/decoder" ./examples/decoder
d="$work/decoder"
ds="$work/ds"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'): images $images, SNR $snr, work dir $work"
time "$d" simulate -images "$images" -train "$train" -test 50 -repeats 35 -snr "$snr" -out "$ds"
mask="$ds/derivatives/sim/sub-01_desc-visual_mask.nii.gz"
func="$ds/sub-01/func"
time "$d" betas -bold "$func"/*task-train*_bold.nii.gz -events "$func"/*task-train*_events.tsv -mask "$mask" -out "$work/train.npy"
time "$d" betas -bold "$func"/*task-test*_bold.nii.gz -events "$func"/*task-test*_events.tsv -mask "$mask" -average -out "$work/test.npy"
"$d" latents -root "$ds" -train "$work/train.tsv" -test "$work/test.tsv" -k 50 \
	-out-train "$work/ztrain.npy" -out-test "$work/ztest.npy" -pixels-test "$work/pixtest.npy" -pca "$work/pca.npz"
time "$d" fit -x "$work/train.npy" -y "$work/ztrain.npy" -alphas 0:8:33 -per-target -out "$work/model.npz"
"$d" predict -model "$work/model.npz" -x "$work/test.npy" -out "$work/zhat.npy"
echo "## latent space (50 PCA components of the images)"
"$d" evaluate -pred "$work/zhat.npy" -true "$work/ztest.npy"
"$d" topixels -pca "$work/pca.npz" -z "$work/zhat.npy" -out "$work/pixhat.npy"
echo "## pixel space (reconstructions from the decoded components)"
"$d" evaluate -pred "$work/pixhat.npy" -true "$work/pixtest.npy"
