package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteBytes(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Fatalf("content %q after a failed write", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files left in the directory", len(entries))
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", st.Mode())
	}
	if err := WriteBytes(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Fatal("a missing directory was accepted")
	}
}

// A process killed during Write leaves ".NAME.tmpDIGITS"; Clean removes
// those of one destination and CleanDir every one in a folder, but not
// files written after this process started (another live writer's), nor
// files that only look alike.
func TestClean(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	mk := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk(".checkpoint.safetensors.tmp123456", old)
	stale2 := mk(".checkpoint.safetensors.tmp9", old)
	other := mk(".losses.png.tmp42", old)
	fresh := mk(".checkpoint.safetensors.tmp777", time.Now().Add(time.Minute))
	keep := []string{
		mk("checkpoint.safetensors", old),
		mk(".checkpoint.safetensors.tmp", old),
		mk(".checkpoint.safetensors.tmpx1", old),
		mk("checkpoint.safetensors.tmp12", old),
		mk(".tmp12", old),
	}
	removed, err := Clean(filepath.Join(dir, "checkpoint.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if !slices.Equal(removed, []string{stale, stale2}) { // sorted: "tmp123456" < "tmp9"
		t.Errorf("Clean removed %v", removed)
	}
	for _, p := range append(keep, other, fresh) {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	removed, err = CleanDir(dir)
	if err != nil || len(removed) != 1 || removed[0] != other {
		t.Errorf("CleanDir removed %v, %v", removed, err)
	}
	if removed, err := CleanDir(filepath.Join(dir, "missing")); err != nil || removed != nil {
		t.Errorf("missing folder: %v, %v", removed, err)
	}
}

// A temporary file that a Write left (the file, as a crash leaves it) is
// what Clean removes.
func TestCleanMatchesWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.npy")
	var tmp string
	Write(path, func(w io.Writer) error {
		ents, _ := os.ReadDir(dir)
		tmp = filepath.Join(dir, ents[0].Name())
		// Simulate the kill: keep a copy under the same name afterwards.
		return errors.New("killed")
	})
	os.WriteFile(tmp, []byte("half"), 0o600)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(tmp, old, old)
	if removed, err := Clean(path); err != nil || len(removed) != 1 || removed[0] != tmp {
		t.Errorf("Clean: %v, %v (temporary file %s)", removed, err, tmp)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "a.npy")); err != nil {
		t.Error(err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	for _, p := range []string{filepath.Join(dir, "missing", "a.npy"), filepath.Join(file, "a.npy"), dir} {
		if err := CheckWritable(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", p, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files left", len(ents))
	}
	if err := CheckDir(filepath.Join(dir, "new", "sub")); err != nil {
		t.Error(err)
	}
	if err := CheckDir(filepath.Join(file, "sub")); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("folder under a file: %v", err)
	}
}
