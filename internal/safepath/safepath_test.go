package safepath

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17, item 6: stim_file values such as ../../../../etc/passwd were
// opened outside the dataset.
func TestJoinAndOpen(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "ds")
	os.MkdirAll(filepath.Join(root, "stimuli", "sub"), 0o755)
	os.WriteFile(filepath.Join(root, "stimuli", "a.png"), []byte("inside"), 0o644)
	os.WriteFile(filepath.Join(base, "secret.txt"), []byte("outside"), 0o644)
	// Links: one within the dataset (as git-annex makes), one out of it,
	// one to an absolute path out of it.
	os.MkdirAll(filepath.Join(root, ".git", "annex"), 0o755)
	os.WriteFile(filepath.Join(root, ".git", "annex", "obj"), []byte("annexed"), 0o644)
	os.Symlink("../.git/annex/obj", filepath.Join(root, "stimuli", "annexed.png"))
	os.Symlink("../../secret.txt", filepath.Join(root, "stimuli", "out.png"))
	os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(root, "stimuli", "abs.png"))
	os.Symlink("..", filepath.Join(root, "stimuli", "sub", "up"))

	for _, ok := range []struct{ name, content string }{
		{"stimuli/a.png", "inside"},
		{"stimuli/sub/../a.png", "inside"},
		{"./stimuli/a.png", "inside"},
		{"stimuli/annexed.png", "annexed"},
		{"stimuli/sub/up/a.png", "inside"},
	} {
		p, err := Join(root, ok.name)
		if err != nil || p != filepath.Join(root, ok.name) {
			t.Errorf("Join(%q): %q, %v", ok.name, p, err)
		}
		f, err := Open(root, ok.name)
		if err != nil {
			t.Errorf("Open(%q): %v", ok.name, err)
			continue
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if string(b) != ok.content {
			t.Errorf("Open(%q) read %q", ok.name, b)
		}
	}
	for _, bad := range []struct{ name, want string }{
		{"", "empty file name"},
		{"../secret.txt", "climbs out"},
		{"../../../../etc/passwd", "climbs out"},
		{"stimuli/../../secret.txt", "climbs out"},
		{"/etc/passwd", "absolute path"},
		{filepath.Join(base, "secret.txt"), "absolute path"},
		{"stimuli/out.png", "resolves through a symbolic link to " + filepath.Join(base, "secret.txt")},
		{"stimuli/abs.png", "symbolic link"},
		{"stimuli/sub/up/../../secret.txt", "symbolic link"},
	} {
		for what, err := range map[string]error{"Join": func() error { _, err := Join(root, bad.name); return err }(),
			"Open": func() error { f, err := Open(root, bad.name); f.Close(); return err }()} {
			if !errors.Is(err, ErrOutside) || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), root) {
				t.Errorf("%s(%q): %v, want ErrOutside mentioning %q", what, bad.name, err, bad.want)
			}
		}
	}
	// A missing file is the file system's error, naming the path.
	_, err := Join(root, "stimuli/missing.png")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(root, "stimuli/missing.png")) {
		t.Errorf("missing: %v", err)
	}
	if _, err := Open(root, "stimuli/missing.png"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open missing: %v", err)
	}
	if _, err := Join(filepath.Join(base, "nope"), "a.png"); err == nil {
		t.Error("missing root accepted")
	}
}
