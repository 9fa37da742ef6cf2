package dataset

import (
	"errors"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// Dataset is an indexed collection of equally sized images with optional
// labels. Images are float32 [C, H, W] in [0, 1]. Loader gathers a batch in
// several goroutines, so Image must be safe for concurrent use (Memory's and
// Folder's are).
type Dataset interface {
	// Len is the number of images.
	Len() int
	// Shape is (channels, height, width) of every image.
	Shape() (c, h, w int)
	// Image writes image i into dst, of length C*H*W.
	Image(i int, dst []float32) error
	// Label is image i's class, or -1 when unlabelled.
	Label(i int) int
}

// Memory is a dataset held in memory: [N, C, H, W] float32 and labels. Its
// methods only read it: safe for concurrent use.
type Memory struct {
	data    []float32
	labels  []int
	n       int
	c, h, w int
}

// NewMemory wraps images [N, C, H, W] (float32 in [0, 1]) and labels (nil
// or one per image).
func NewMemory(images *nt.Dense, labels []int) (*Memory, error) {
	s := images.Shape()
	if len(s) != 4 || images.Dtype() != nt.Float32 {
		return nil, fmt.Errorf("dataset: images %v %v: want float32 [N,C,H,W]", images.Dtype(), s)
	}
	if labels != nil && len(labels) != s[0] {
		return nil, fmt.Errorf("dataset: %d labels for %d images", len(labels), s[0])
	}
	if s[0] == 0 {
		return nil, errors.New("dataset: no images")
	}
	return &Memory{data: nt.Data32(images), labels: labels, n: s[0], c: s[1], h: s[2], w: s[3]}, nil
}

// Len is the number of images.
func (m *Memory) Len() int { return m.n }

// Shape is (C, H, W).
func (m *Memory) Shape() (int, int, int) { return m.c, m.h, m.w }

// Image copies image i into dst.
func (m *Memory) Image(i int, dst []float32) error {
	if i < 0 || i >= m.n {
		return fmt.Errorf("dataset: image %d out of range [0,%d)", i, m.n)
	}
	sz := m.c * m.h * m.w
	copy(dst, m.data[i*sz:(i+1)*sz])
	return nil
}

// Label is image i's label, or -1.
func (m *Memory) Label(i int) int {
	if m.labels == nil || i < 0 || i >= m.n {
		return -1
	}
	return m.labels[i]
}

// Batch returns images lo to hi-1 as one batch [hi-lo, C, H, W] in [0, 1],
// with their labels (nil when the data set has none): what a model's Encode
// takes, without a Loader. The batch and labels are copies.
func (m *Memory) Batch(lo, hi int) (*nt.Dense, []int, error) {
	if lo < 0 || hi > m.n || lo >= hi {
		return nil, nil, fmt.Errorf("dataset: batch [%d, %d) of %d images: want 0 <= lo < hi <= %d", lo, hi, m.n, m.n)
	}
	sz := m.c * m.h * m.w
	x := nt.New32(append([]float32(nil), m.data[lo*sz:hi*sz]...), hi-lo, m.c, m.h, m.w)
	var labels []int
	if m.labels != nil {
		labels = append([]int(nil), m.labels[lo:hi]...)
	}
	return x, labels, nil
}

// Subset returns the first n images (all when n <= 0 or n >= Len).
func (m *Memory) Subset(n int) *Memory {
	if n <= 0 || n >= m.n {
		return m
	}
	sz := m.c * m.h * m.w
	out := *m
	out.data, out.n = m.data[:n*sz], n
	if m.labels != nil {
		out.labels = m.labels[:n]
	}
	return &out
}

// LoadIDX reads MNIST-style image and label files (raw or gzipped; labels
// may be "" for none) and resizes the images to size x size (size 0 keeps
// them). Fashion-MNIST's 28x28 images become 32x32 for the 32 px models.
func LoadIDX(images, labels string, size int) (*Memory, error) {
	t, err := nt.IDXImages(images)
	if err != nil {
		return nil, err
	}
	var ls []int
	if labels != "" {
		if ls, err = nt.IDXLabels(labels); err != nil {
			return nil, err
		}
	}
	return fromIDX(t, ls, size, images)
}

// ReadIDX is LoadIDX for streams (labels may be nil); name labels errors.
func ReadIDX(images, labels io.Reader, size int, name string) (*Memory, error) {
	raw, err := nt.ReadIDX(images)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", name, err)
	}
	t, err := nt.IDXImagesOf(raw, name)
	if err != nil {
		return nil, err
	}
	var ls []int
	if labels != nil {
		rl, err := nt.ReadIDX(labels)
		if err != nil {
			return nil, fmt.Errorf("dataset: %s labels: %w", name, err)
		}
		if ls, err = nt.IDXLabelsOf(rl, name+" labels"); err != nil {
			return nil, err
		}
	}
	return fromIDX(t, ls, size, name)
}

func fromIDX(t *nt.Dense, ls []int, size int, name string) (*Memory, error) {
	s := t.Shape()
	if size > 0 && (s[2] != size || s[3] != size) {
		n, c, h, w := s[0], s[1], s[2], s[3]
		src := nt.Data32(t)
		out := make([]float32, 0, n*c*size*size)
		for i := range n {
			out = append(out, Resize(src[i*c*h*w:(i+1)*c*h*w], c, h, w, size, size)...)
		}
		t = nt.New32(out, n, c, size, size)
	}
	m, err := NewMemory(t, ls)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", name, err)
	}
	return m, nil
}

// Preprocess describes how images from files become training images. A plain
// value, safe for concurrent use.
type Preprocess struct {
	// Size is the output side in pixels.
	Size int
	// CropFactor keeps the central fraction of the centre square before
	// resizing (0.8 in the VAE-GAN paper; 1 or 0 keeps the whole square).
	CropFactor float64
	// Gray converts colour images to one channel.
	Gray bool
}

// Published is the VAE-GAN paper's preprocessing for 128 px faces.
var Published = Preprocess{Size: 128, CropFactor: 0.8}

// Folder is a dataset of the JPEG and PNG files in a directory, read and
// preprocessed on demand (CelebA does not fit in memory as floats). Its
// methods only read it and the files: safe for concurrent use.
type Folder struct {
	paths []string
	pre   Preprocess
	c     int
}

// LoadFolder lists the .jpg, .jpeg and .png files of dir (not recursive),
// in name order.
func LoadFolder(dir string, pre Preprocess) (*Folder, error) {
	if pre.Size < 1 {
		return nil, fmt.Errorf("dataset: image size %d must be positive", pre.Size)
	}
	if pre.CropFactor < 0 || pre.CropFactor > 1 {
		return nil, fmt.Errorf("dataset: crop factor %g outside [0,1]", pre.CropFactor)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var paths []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png":
			if !e.IsDir() {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("dataset: %s: no .jpg, .jpeg or .png files", dir)
	}
	slices.Sort(paths)
	c := 3
	if pre.Gray {
		c = 1
	}
	return &Folder{paths: paths, pre: pre, c: c}, nil
}

// Len is the number of image files.
func (f *Folder) Len() int { return len(f.paths) }

// Shape is (C, Size, Size).
func (f *Folder) Shape() (int, int, int) { return f.c, f.pre.Size, f.pre.Size }

// Label is -1: folders are unlabelled.
func (f *Folder) Label(int) int { return -1 }

// Path is the file of image i.
func (f *Folder) Path(i int) string { return f.paths[i] }

// Image decodes and preprocesses image i into dst.
func (f *Folder) Image(i int, dst []float32) error {
	if i < 0 || i >= len(f.paths) {
		return fmt.Errorf("dataset: image %d out of range [0,%d)", i, len(f.paths))
	}
	img, err := nt.LoadImage(f.paths[i])
	if err != nil {
		return err
	}
	return f.pre.apply(img, f.c, dst)
}

// Load reads an image file and preprocesses it into dst [channels, Size,
// Size] (channels 1 or 3).
func (p Preprocess) Load(path string, channels int, dst []float32) error {
	img, err := nt.LoadImage(path)
	if err != nil {
		return err
	}
	if err := p.apply(img, channels, dst); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// apply crops, resizes and converts img into dst [c, Size, Size].
func (p Preprocess) apply(img image.Image, c int, dst []float32) error {
	t := nt.FromImage(img, false)
	s := t.Shape()
	return p.Convert(nt.Data32(t), s[0], s[1], s[2], c, dst)
}

// Convert preprocesses an image already in memory, src [c, h, w] with
// values in [0, 1] (1 or 3 channels), into dst [outC, Size, Size]: the
// centre square (and CropFactor of it), resized with Resize's
// anti-aliased filter, then converted to outC channels. Colour becomes
// grey by ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B); grey becomes
// colour by repeating the plane. This is what LoadFolder does to image
// files, for images that arrive as arrays (a .npy stimulus set, say).
func (p Preprocess) Convert(src []float32, c, h, w, outC int, dst []float32) error {
	switch {
	case p.Size < 1:
		return fmt.Errorf("dataset: image size %d must be positive", p.Size)
	case p.CropFactor < 0 || p.CropFactor > 1:
		return fmt.Errorf("dataset: crop factor %g outside [0,1]", p.CropFactor)
	case c != 1 && c != 3:
		return fmt.Errorf("dataset: image with %d channels: want 1 or 3", c)
	case outC != 1 && outC != 3:
		return fmt.Errorf("dataset: %d output channels: want 1 or 3", outC)
	case h < 2 || w < 2:
		return fmt.Errorf("dataset: image of %dx%d pixels is too small", w, h)
	case len(src) != c*h*w:
		return fmt.Errorf("dataset: %d values for a %dx%dx%d image", len(src), c, h, w)
	case len(dst) != outC*p.Size*p.Size:
		return fmt.Errorf("dataset: destination of %d values for a %dx%dx%d image", len(dst), outC, p.Size, p.Size)
	}
	factor := p.CropFactor
	if factor == 0 {
		factor = 1
	}
	sq, side := CentreCrop(src, c, h, w, factor)
	out := Resize(sq, c, side, side, p.Size, p.Size)
	plane := p.Size * p.Size
	switch {
	case c == outC:
		copy(dst, out)
	case c == 1:
		for k := range 3 {
			copy(dst[k*plane:(k+1)*plane], out)
		}
	default:
		for i := range plane { // ITU-R 601 luma
			dst[i] = 0.299*out[i] + 0.587*out[plane+i] + 0.114*out[2*plane+i]
		}
	}
	return nil
}

// Loader cuts a dataset into batches for training. Its methods only read its
// fields: safe for concurrent use while no goroutine changes them (gan.Train
// sets Seed before it starts).
type Loader struct {
	Data      Dataset
	BatchSize int
	Seed      uint64
	// Flip mirrors each image horizontally with probability 1/2.
	Flip bool
	// MinusOneOne maps pixels to [-1, 1] (GAN generators' range).
	MinusOneOne bool
}

// BatchesPerEpoch is the number of full batches in an epoch (the last,
// partial batch of each epoch is dropped so every step has the same shape).
func (l *Loader) BatchesPerEpoch() int {
	if l.BatchSize < 1 {
		return 0
	}
	return l.Data.Len() / l.BatchSize
}

// Check validates the loader's settings.
func (l *Loader) Check() error {
	if l.Data == nil {
		return errors.New("dataset: loader without data")
	}
	if l.BatchSize < 1 {
		return fmt.Errorf("dataset: batch size %d must be positive", l.BatchSize)
	}
	if l.BatchesPerEpoch() == 0 {
		return fmt.Errorf("dataset: %d images are fewer than one batch of %d", l.Data.Len(), l.BatchSize)
	}
	return nil
}

// Order returns the permutation of the images used in epoch e.
func (l *Loader) Order(epoch int) []int {
	return rand.New(rand.NewPCG(l.Seed, uint64(epoch))).Perm(l.Data.Len())
}

// Batch returns the images [B, C, H, W] and labels of training step step
// (counting from 0 across epochs), and the epoch it falls in.
func (l *Loader) Batch(step int) (images *nt.Dense, labels []int, epoch int, err error) {
	if err := l.Check(); err != nil {
		return nil, nil, 0, err
	}
	bpe := l.BatchesPerEpoch()
	epoch = step / bpe
	pos := step % bpe
	idx := l.Order(epoch)[pos*l.BatchSize : (pos+1)*l.BatchSize]
	var flips []bool
	if l.Flip {
		r := rand.New(rand.NewPCG(l.Seed^0x666c6970, uint64(step)))
		flips = make([]bool, len(idx))
		for i := range flips {
			flips[i] = r.IntN(2) == 1
		}
	}
	images, labels, err = l.gather(idx, flips)
	return images, labels, epoch, err
}

// Gather returns the given images as one batch, in [0,1] or [-1,1] as the
// loader is configured, without flipping.
func (l *Loader) Gather(idx []int) (*nt.Dense, []int, error) {
	return l.gather(idx, nil)
}

// All returns every image of the loader's data in order, as one batch
// [N, C, H, W] (in [-1, 1] with MinusOneOne), with the labels.
func (l *Loader) All() (*nt.Dense, []int, error) {
	idx := make([]int, l.Data.Len())
	for i := range idx {
		idx[i] = i
	}
	return l.gather(idx, nil)
}

func (l *Loader) gather(idx []int, flips []bool) (*nt.Dense, []int, error) {
	c, h, w := l.Data.Shape()
	sz := c * h * w
	out := make([]float32, len(idx)*sz)
	labels := make([]int, len(idx))
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(idx))
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wk; i < len(idx); i += workers {
				dst := out[i*sz : (i+1)*sz]
				if errs[i] = l.Data.Image(idx[i], dst); errs[i] != nil {
					continue
				}
				if flips != nil && flips[i] {
					flipH(dst, c, h, w)
				}
				if l.MinusOneOne {
					for j, v := range dst {
						dst[j] = 2*v - 1
					}
				}
				labels[i] = l.Data.Label(idx[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return nt.New32(out, len(idx), c, h, w), labels, nil
}

func flipH(img []float32, c, h, w int) {
	for r := range c * h {
		slices.Reverse(img[r*w : (r+1)*w])
	}
}
