package tensor

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/neurolatent/neurolatent/internal/inflate"
)

// An .npz file is a zip archive of .npy files, one per array, named
// "<key>.npy"; np.savez stores them, np.savez_compressed deflates them.

// LoadNPZ reads every array of the .npz file at path into a state dict, in
// the archive's order, keyed by the entry names without ".npy".
func LoadNPZ(path string) (*StateDict, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readNPZ(f, size, path)
}

// ReadNPZ reads an .npz archive of the given size from r. See LoadNPZ.
func ReadNPZ(r io.ReaderAt, size int64) (*StateDict, error) {
	return readNPZ(r, size, "npz")
}

func readNPZ(r io.ReaderAt, size int64, name string) (*StateDict, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errorf(name, "not an .npz (zip) file: %w", err)
	}
	if err := checkInflate(zr.File, size, name); err != nil {
		return nil, err
	}
	sd := NewStateDict()
	for _, zf := range zr.File {
		key, ok := strings.CutSuffix(zf.Name, ".npy")
		if !ok {
			return nil, errorf(name, "entry %q is not a .npy array", zf.Name)
		}
		if _, dup := sd.Get(key); dup {
			return nil, errorf(name, "array %q appears twice", key)
		}
		t, err := readZipNPY(zf, size, fmt.Sprintf("%s: array %q", name, key))
		if err != nil {
			return nil, err
		}
		sd.Set(key, t)
	}
	return sd, nil
}

// readZipNPY reads one .npy entry. A stored entry whose declared size fits
// the archive is read straight into the tensor; a deflated one is read with
// memory growing only with the data actually inflated, since its declared
// size cannot be checked before inflating.
func readZipNPY(zf *zip.File, archiveSize int64, name string) (*Dense, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, errorf(name, "%w", err)
	}
	defer rc.Close()
	// archive/zip fails the read if the entry's real size differs from the
	// declared one, so the size is exact; it only bounds memory, though,
	// when the entry is stored and fits in the archive.
	size := int64(-1)
	if zf.UncompressedSize64 < 1<<62 {
		size = int64(zf.UncompressedSize64)
	}
	trusted := zf.Method == zip.Store && zf.UncompressedSize64 <= uint64(archiveSize)
	t, err := readNPY(rc, size, trusted, name)
	if err != nil {
		return nil, err
	}
	if err := expectEOF(rc); err != nil {
		return nil, errorf(name, "%w", err)
	}
	return t, nil
}

// MaxInflateRatio bounds what compressed input may expand to: the deflated
// entries of an .npz or PyTorch archive together, or a gzipped IDX file,
// may inflate beyond their first 64 MiB to at most this many times the
// file's size. Weights and images compress 1-5-fold, so the default of 100
// refuses only decompression bombs, from the sizes a file declares before
// anything is read. Raise it (1032 or more: no bound, deflate cannot expand
// further) for unusually compressible data. Set it before loading, not
// while loads are running.
var MaxInflateRatio float64 = inflate.DefaultRatio

const inflateKnob = "tensor.MaxInflateRatio"

// checkInflate holds the sizes that the compressed entries of a zip
// archive of size bytes declare against what the archive may inflate to.
// archive/zip fails a read beyond an entry's declared size, so the
// declared sizes bound the memory.
func checkInflate(files []*zip.File, size int64, name string) error {
	var total uint64
	for _, f := range files {
		if f.Method == zip.Store {
			continue
		}
		total += f.UncompressedSize64
		if total > 1<<62 || f.UncompressedSize64 > 1<<62 {
			total = 1 << 62
		}
	}
	if int64(total) > inflate.Limit(size, MaxInflateRatio) {
		return errorf(name, "%w", inflate.TooLarge(int64(total), size, MaxInflateRatio, inflateKnob))
	}
	return nil
}

// expectEOF checks that r has nothing left. For a zip entry the final read
// is also what verifies the CRC.
func expectEOF(r io.Reader) error {
	var b [1]byte
	n, err := r.Read(b[:])
	for n == 0 && err == nil {
		n, err = r.Read(b[:])
	}
	if n > 0 {
		return errors.New("unexpected data after the array")
	}
	if err == io.EOF {
		return nil
	}
	return err
}

// SaveNPZ writes every tensor of sd to path as an uncompressed .npz (what
// np.savez writes), in key order, atomically. np.load reads it back with the
// same keys.
func SaveNPZ(path string, sd *StateDict) error {
	return writeAtomic(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, k := range sd.Keys() {
			t, _ := sd.Get(k)
			ew, err := zw.CreateHeader(&zip.FileHeader{Name: k + ".npy", Method: zip.Store})
			if err != nil {
				return errorf(path, "%w", err)
			}
			if err := writeNPY(ew, t, fmt.Sprintf("%s: array %q", path, k)); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return errorf(path, "%w", err)
		}
		return nil
	})
}
