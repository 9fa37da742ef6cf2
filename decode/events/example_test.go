package events_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/neurolatent/neurolatent/decode/events"
)

func ExampleReadFile() {
	tab, err := events.ReadFile("../../testdata/decode/events/bids_like_events.tsv")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range tab.Events {
		fmt.Printf("%5.2f s  %-4s %q rt=%s\n", e.Onset, e.TrialType, e.StimFile, e.Extra["response_time"])
	}
	// Output:
	//  1.20 s  go   "images/red_square.jpg" rt=1.435
	//  5.60 s  stop "images/blue_square.jpg" rt=
	//  9.00 s  go   "" rt=1.02
	// 12.25 s       "images/red_square.jpg" rt=0.9
}

func ExampleAttributes_Runs() {
	// Two runs of a block design, one line per volume: label and run.
	table := `rest 0
face 0
face 0
rest 0
house 0
house 0
rest 1
house 1
house 1
rest 1
face 1
face 1
`
	a, err := events.ReadAttributes(strings.NewReader(table))
	if err != nil {
		log.Fatal(err)
	}
	runs, err := a.Runs(2.5, []string{"rest"}) // TR 2.5 s; rest is the baseline
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range runs {
		fmt.Printf("run %s: volumes %d-%d\n", r.Chunk, r.Start, r.Start+r.Frames-1)
		for _, e := range r.Events {
			fmt.Printf("  %-5s onset %4.1f s, %3.1f s\n", e.TrialType, e.Onset, e.Duration)
		}
	}
	// Output:
	// run 0: volumes 0-5
	//   face  onset  2.5 s, 5.0 s
	//   house onset 10.0 s, 5.0 s
	// run 1: volumes 6-11
	//   house onset  2.5 s, 5.0 s
	//   face  onset 10.0 s, 5.0 s
}
