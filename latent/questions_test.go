package latent

import (
	"errors"
	"strings"
	"testing"
)

func TestReadQuestions(t *testing.T) {
	in := "\n: capital-common-countries\r\n" +
		"Athens Greece Baghdad Iraq\r\n" +
		"too few words\n" +
		"\n" +
		":not-a-header but four words\n" +
		":  family \t\n" +
		"boy girl brother sister\n" +
		"a\tb  c d"
	secs, err := ReadQuestions(strings.NewReader(in), "q.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(secs) != 2 || secs[0].Name != "capital-common-countries" || secs[1].Name != "family" {
		t.Fatalf("sections %+v", secs)
	}
	q := secs[0].Questions
	if len(q) != 2 || q[0] != (Question{"Athens", "Greece", "Baghdad", "Iraq", 3}) || q[1].A != ":not-a-header" {
		t.Errorf("section 0 questions %+v", q)
	}
	if len(secs[0].Invalid) != 2 || secs[0].Invalid[0] != 4 || secs[0].Invalid[1] != 5 {
		t.Errorf("invalid lines %v, want [4 5]", secs[0].Invalid)
	}
	if q := secs[1].Questions; len(q) != 2 || q[1] != (Question{"a", "b", "c", "d", 9}) {
		t.Errorf("section 1 questions %+v", q)
	}
}

func TestReadQuestionsErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "no questions"},
		{": empty\n\n", "no questions"},
		{"a b c d\n: s\n", "q.txt: line 1: question before the first section"},
		{": s\na b c d\nx \xff y z\n", "q.txt: line 3: invalid UTF-8"},
	} {
		_, err := ReadQuestions(strings.NewReader(tc.in), "q.txt")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
	_, err := ReadQuestions(strings.NewReader(""), "q.txt")
	if !errors.Is(err, ErrEmpty) {
		t.Errorf("empty file: %v, want ErrEmpty", err)
	}
	if _, err := ReadQuestionsFile("does-not-exist.txt"); err == nil {
		t.Error("missing file: no error")
	}
}

func FuzzReadQuestions(f *testing.F) {
	f.Add([]byte(": s\na b c d\n"))
	f.Add([]byte(": capital\r\nAthens Greece Baghdad Iraq\r\n: x\n\n1 2 3\n"))
	f.Add([]byte("\xef\xbb\xbf: s\n\xc3\x9f b c d"))
	f.Fuzz(func(t *testing.T, in []byte) {
		secs, err := ReadQuestions(strings.NewReader(string(in)), "fuzz")
		if err != nil {
			return
		}
		n := 0
		for _, s := range secs {
			for _, q := range s.Questions {
				if q.A == "" || q.B == "" || q.C == "" || q.D == "" || q.Line < 1 {
					t.Fatalf("bad question %+v", q)
				}
				n++
			}
		}
		if n == 0 {
			t.Fatal("no error and no questions")
		}
	})
}
