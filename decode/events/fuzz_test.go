package events

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead: any input gives a table or an error; a table written back and
// read again is the same table.
func FuzzRead(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(testdir, "bids_like_events.tsv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("onset\tduration\n0\t1\n"))
	f.Add([]byte("onset\tduration\ttrial_type\r\n1e3\tn/a\tx\r\n"))
	f.Add([]byte("\ufeffduration\tonset\tstim_file\n2\t0x1p-2\timg.png\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		tab, err := Read(bytes.NewReader(in))
		if err != nil {
			return
		}
		for _, e := range tab.Events {
			if math.IsNaN(e.Onset) || math.IsInf(e.Onset, 0) || e.Duration < 0 {
				t.Fatalf("accepted a bad event %+v", e)
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, tab); err != nil {
			return // e.g. a value that is "n/a" after trimming: fine to refuse
		}
		back, err := Read(&buf)
		if err != nil {
			t.Fatalf("cannot read back %q: %v", buf.String(), err)
		}
		if len(back.Events) != len(tab.Events) {
			t.Fatalf("%d events became %d", len(tab.Events), len(back.Events))
		}
		for i, e := range tab.Events {
			g := back.Events[i]
			if g.Onset != e.Onset || g.TrialType != e.TrialType || g.StimFile != e.StimFile ||
				!(g.Duration == e.Duration || math.IsNaN(g.Duration) && math.IsNaN(e.Duration)) {
				t.Fatalf("event %d %+v became %+v", i, e, g)
			}
		}
	})
}
