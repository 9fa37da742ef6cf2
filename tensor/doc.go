// Package tensor holds neurolatent's host tensors and the file formats that
// carry them.
//
// A tensor is a gorgonia.org/tensor *Dense (aliased as Dense), row-major:
// float32 for model weights and activations, float64 for statistics. New32,
// New64 and Zeros make them; Data32 and Data64 give the backing slice;
// ToFloat32, ToFloat64 and Clone copy. A StateDict maps parameter names
// (PyTorch's dotted keys) to tensors in file order, with free-form string
// metadata.
//
// # Formats
//
//   - safetensors: LoadSafetensors, SaveSafetensors (and Read/Write
//     variants). The loader reads each tensor straight from the file into
//     its final memory, so a checkpoint costs about its own size in RAM; the
//     writer lays files out as the reference implementation does.
//   - NumPy .npy and .npz: LoadNPY, SaveNPY, ReadNPY, WriteNPY, LoadNPZ,
//     SaveNPZ. Fortran-order arrays come out row-major, float16 as float32.
//   - PyTorch .pt/.pth state dicts (zip format and the legacy format):
//     LoadPyTorch. Pickles are unpickled with github.com/nlpodyssey/gopickle
//     behind an allow-list of the globals a state dict needs; any other
//     global (os.system, builtins.eval, ...) is refused with ErrUnsafePickle.
//     Strided views are materialised; float16 and bfloat16 become float32.
//   - IDX (MNIST, Fashion-MNIST), raw or gzipped: LoadIDX, ReadIDX,
//     IDXImages, IDXLabels.
//   - Images: FromImage, ToImage and batch variants convert between
//     image.Image and [C, H, W] / [N, C, H, W] tensors in [0, 1] or [-1, 1];
//     LoadImage reads PNG and JPEG; SavePNGGrid writes a batch as one PNG,
//     laid out by GridOptions.
//
// Load and Save pick the format from the file extension.
//
// # Untrusted input
//
// Every reader treats its input as untrusted: it returns an error naming the
// file (and the tensor key, when there is one) rather than panicking, and it
// checks every size a header claims against the bytes actually present
// before allocating, so a corrupt or hostile file cannot exhaust memory.
// Streams and compressed entries, whose real size is unknown until read,
// are read in chunks that grow only with the data. Compressed data (the
// deflated entries of .npz and PyTorch archives, gzipped IDX files) may
// inflate beyond 64 MiB to at most MaxInflateRatio (default 100) times the
// file's size, which stops decompression bombs before anything is read;
// their checksums are verified, and garbage after a gzip stream is an
// error. Every reader has a fuzz target in this package.
//
// Tensors and state dicts are plain values: safe to read from several
// goroutines, not to modify while others read. Writers go through a temporary file that is
// synced and renamed, so an interrupted save never leaves a partial file.
//
// The package is split by format: npy.go (with pylit.go for its header),
// npz.go, safetensors.go, pytorch.go (zip format), pytorch_legacy.go,
// pytorch_pickle.go and pickle_scan.go (the restricted unpickling), idx.go,
// image.go, load.go. elem.go, half.go and strided.go hold the element
// handling they share, file.go the atomic writes.
package tensor
