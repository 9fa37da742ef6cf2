package latent

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Question is one analogy "A is to B as C is to D" of an analogy file, with
// its line number (1-based). It is a plain value: safe for concurrent use as
// long as no goroutine modifies it.
type Question struct {
	A, B, C, D string
	Line       int
}

// Section is a named group of questions (": capital-common-countries"). It
// is a plain value: safe for concurrent use as long as no goroutine modifies
// it.
type Section struct {
	Name      string
	Questions []Question
	// Invalid lists the lines of the section that did not hold exactly four
	// words; they are skipped, as gensim skips them.
	Invalid []int
}

// ReadQuestions reads an analogy file in the format of the Google set
// (questions-words.txt), the way gensim's evaluate_word_analogies does: a
// line starting with ": " opens a section named by the rest of the line;
// every other line is a question of four words separated by white space,
// and lines without exactly four words are skipped (listed in
// Section.Invalid). A question before the first section, invalid UTF-8 or a
// file without questions is an error naming the file and line. Blank lines
// before the first section are ignored.
func ReadQuestions(r io.Reader, name string) ([]Section, error) {
	if name == "" {
		name = "questions"
	}
	br := bufio.NewReader(r)
	var sections []Section
	nq := 0
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && err != nil {
			if err != io.EOF {
				return nil, fmt.Errorf("latent: %s: line %d: %w", name, line, err)
			}
			break
		}
		if !utf8.Valid(raw) {
			return nil, fmt.Errorf("latent: %s: line %d: invalid UTF-8", name, line)
		}
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
		}
		s := string(raw)
		if strings.HasPrefix(s, ": ") {
			sections = append(sections, Section{Name: strings.TrimFunc(strings.TrimLeft(s, ": "), isPySpace)})
			continue
		}
		f := strings.FieldsFunc(s, isPySpace)
		if len(sections) == 0 {
			if len(f) == 0 {
				continue
			}
			return nil, fmt.Errorf("latent: %s: line %d: question before the first section header (\": name\")", name, line)
		}
		sec := &sections[len(sections)-1]
		if len(f) != 4 {
			sec.Invalid = append(sec.Invalid, line)
			continue
		}
		sec.Questions = append(sec.Questions, Question{A: f[0], B: f[1], C: f[2], D: f[3], Line: line})
		nq++
		if err != nil {
			break
		}
	}
	if nq == 0 {
		return nil, fmt.Errorf("latent: %s: %w: no questions", name, ErrEmpty)
	}
	return sections, nil
}

// ReadQuestionsFile reads an analogy file (see ReadQuestions).
func ReadQuestionsFile(path string) ([]Section, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("latent: %w", err)
	}
	defer f.Close()
	return ReadQuestions(f, path)
}
