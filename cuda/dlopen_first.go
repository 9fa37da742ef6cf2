//go:build gpu && cgo

package cuda

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// openFirst tries the candidate library paths in order (bare sonames go to
// the dynamic loader; paths with a slash are tried only if the file
// exists) and returns the first that open accepts. Otherwise the error
// names what was wanted and why each candidate failed.
func openFirst(what string, candidates []string, open func(path string) error) (string, error) {
	var msgs []string
	for _, p := range candidates {
		if strings.Contains(p, "/") {
			if _, err := os.Stat(p); err != nil {
				continue // a directory guess that does not exist
			}
		}
		if err := open(p); err != nil {
			msgs = append(msgs, p+": "+err.Error())
			continue
		}
		return p, nil
	}
	if len(msgs) > 6 {
		msgs = append(msgs[:6], fmt.Sprintf("and %d more", len(msgs)-6))
	}
	return "", errors.New("cuda: no usable " + what + ": " + strings.Join(msgs, "; "))
}
