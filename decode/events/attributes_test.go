package events

import (
	"bytes"
	"strings"
	"testing"
)

const attrText = `# label chunk
rest 0
rest 0
face 0
face 0
face 0
rest 0
house 0

rest 1
house 1
house 1
face 1
rest 1
`

func TestReadAttributes(t *testing.T) {
	a, err := ReadAttributes(strings.NewReader(attrText))
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 12 || a.Labels[2] != "face" || a.Chunks[7] != "1" {
		t.Fatalf("%+v", a)
	}
	runs, err := a.Runs(2.5, []string{"rest"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs", len(runs))
	}
	r0, r1 := runs[0], runs[1]
	if r0.Chunk != "0" || r0.Start != 0 || r0.Frames != 7 || r1.Chunk != "1" || r1.Start != 7 || r1.Frames != 5 {
		t.Fatalf("runs %+v %+v", r0, r1)
	}
	want0 := []Event{{Onset: 5, Duration: 7.5, TrialType: "face"}, {Onset: 15, Duration: 2.5, TrialType: "house"}}
	want1 := []Event{{Onset: 2.5, Duration: 5, TrialType: "house"}, {Onset: 7.5, Duration: 2.5, TrialType: "face"}}
	for _, c := range []struct {
		got, want []Event
	}{{r0.Events, want0}, {r1.Events, want1}} {
		if len(c.got) != len(c.want) {
			t.Fatalf("events %+v, want %+v", c.got, c.want)
		}
		for i, e := range c.want {
			g := c.got[i]
			if g.Onset != e.Onset || g.Duration != e.Duration || g.TrialType != e.TrialType {
				t.Errorf("event %d: %+v, want %+v", i, g, e)
			}
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, r1.Table()); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "onset\tduration\ttrial_type\n2.5\t5\thouse\n7.5\t2.5\tface\n" {
		t.Errorf("table %q", got)
	}
	// Without a baseline, rest blocks are events too.
	runs, err = a.Runs(2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(runs[0].Events); n != 4 || runs[0].Events[0].TrialType != "rest" || runs[0].Events[0].Duration != 4 {
		t.Errorf("no baseline: %+v", runs[0].Events)
	}
}

func TestAttributesErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "no volumes"},
		{"# only a comment\n\n", "no volumes"},
		{"rest 0\nface\n", "attributes:2: 1 fields, want 2"},
		{"rest 0 extra\n", "attributes:1: 3 fields"},
		{"rest 0\nrest 1\nface 0\n", `attributes:3: chunk "0" starts again after chunk "1"`},
	} {
		_, err := ReadAttributes(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.want)
		}
	}
	a, err := ReadAttributes(strings.NewReader("rest 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []float64{0, -1} {
		if _, err := a.Runs(tr, nil); err == nil || !strings.Contains(err.Error(), "TR") {
			t.Errorf("TR %v: %v", tr, err)
		}
	}
	if _, err := (&Attributes{Labels: []string{"a"}}).Runs(1, nil); err == nil || !strings.Contains(err.Error(), "1 labels and 0 chunks") {
		t.Errorf("mismatched table: %v", err)
	}
	if _, err := (&Attributes{Labels: []string{"a", "a", "a"}, Chunks: []string{"0", "1", "0"}}).Runs(1, nil); err == nil || !strings.Contains(err.Error(), "starts again at volume 2") {
		t.Errorf("interleaved chunks: %v", err)
	}
	if _, err := ReadAttributesFile("no/such/file.txt"); err == nil || !strings.Contains(err.Error(), "no/such/file.txt") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzReadAttributes: any input gives a table or an error, and a table
// gives runs whose blocks tile the non-baseline volumes.
func FuzzReadAttributes(f *testing.F) {
	f.Add([]byte(attrText))
	f.Add([]byte("a 1\r\nb 1\r\n"))
	f.Add([]byte("\ufeffx\t0\n#\n y  1 \n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadAttributes(bytes.NewReader(in))
		if err != nil {
			return
		}
		runs, err := a.Runs(1, []string{"rest"})
		if err != nil {
			t.Fatalf("table %+v: %v", a, err)
		}
		total, covered := 0, 0
		for _, r := range runs {
			total += r.Frames
			for _, e := range r.Events {
				covered += int(e.Duration)
				k := r.Start + int(e.Onset)
				if e.Onset+e.Duration > float64(r.Frames) || a.Labels[k] != e.TrialType || a.Chunks[k] != r.Chunk {
					t.Fatalf("block %+v of run %+v does not match the table", e, r)
				}
			}
		}
		rest := 0
		for _, l := range a.Labels {
			if l == "rest" {
				rest++
			}
		}
		if total != a.Len() || covered != a.Len()-rest {
			t.Fatalf("%d volumes, runs cover %d, blocks %d (rest %d)", a.Len(), total, covered, rest)
		}
	})
}
