package wordvec

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
)

// Write writes e in format f. Text formats print each component in the
// shortest form that reads back to the same float32.
func Write(w io.Writer, f Format, e *Embeddings) error {
	v := e.Vectors
	if err := v.Check(); err != nil {
		return fmt.Errorf("wordvec: Write: %w", err)
	}
	if len(e.Words) != v.N {
		return fmt.Errorf("wordvec: Write: %d words for %d vectors", len(e.Words), v.N)
	}
	for i, word := range e.Words {
		if word == "" || strings.ContainsAny(word, " \t\n\r") {
			return fmt.Errorf("wordvec: Write: word %d (%q) is empty or holds white space", i, word)
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	switch f {
	case GloVe, Word2Vec:
		if f == Word2Vec {
			fmt.Fprintf(bw, "%d %d\n", v.N, v.D)
		} else if v.N > 0 && strings.HasPrefix(e.Words[0], "\uFEFF") {
			// Read drops a byte-order mark at the start of a file: write
			// one, so that a first word starting with U+FEFF survives.
			bw.WriteString("\uFEFF")
		}
		var line []byte
		for i, word := range e.Words {
			line = append(line[:0], word...)
			for _, x := range v.Row(i) {
				line = append(line, ' ')
				line = strconv.AppendFloat(line, float64(x), 'g', -1, 32)
			}
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return fmt.Errorf("wordvec: Write: %w", err)
			}
		}
	case Word2VecBinary:
		fmt.Fprintf(bw, "%d %d\n", v.N, v.D)
		buf := make([]byte, 4*v.D)
		for i, word := range e.Words {
			bw.WriteString(word)
			bw.WriteByte(' ')
			for j, x := range v.Row(i) {
				binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(x))
			}
			bw.Write(buf)
			if _, err := bw.WriteString("\n"); err != nil {
				return fmt.Errorf("wordvec: Write: %w", err)
			}
		}
	default:
		return fmt.Errorf("wordvec: Write: unknown format %v", f)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("wordvec: Write: %w", err)
	}
	return nil
}

// WriteFile writes e to path in format f, atomically: the data goes to a
// temporary file in the same directory that is renamed over path.
func WriteFile(path string, f Format, e *Embeddings) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return Write(w, f, e) }); err != nil {
		return fmt.Errorf("wordvec: %w", err)
	}
	return nil
}
