package realdata_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/neurolatent/neurolatent/internal/realdata"
)

// A clone with shared/ beside it: the data set is found from any folder
// of the module.
func ExampleLocate() {
	tmp, err := os.MkdirTemp("", "realdata")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	os.MkdirAll(filepath.Join(tmp, "repo", "decode", "glm"), 0o755)
	os.WriteFile(filepath.Join(tmp, "repo", "go.mod"), []byte("module example\n"), 0o644)
	os.MkdirAll(filepath.Join(tmp, "shared", "data", "real", "haxby2001-sub1"), 0o755)

	dir, err := realdata.Locate(filepath.Join(tmp, "repo", "decode", "glm"), "haxby2001-sub1")
	if err != nil {
		log.Fatal(err)
	}
	rel, _ := filepath.Rel(tmp, dir)
	fmt.Println(filepath.ToSlash(rel))
	_, err = realdata.Locate(filepath.Join(tmp, "repo"), "digit69")
	fmt.Println(err != nil)
	// Output:
	// shared/data/real/haxby2001-sub1
	// true
}
