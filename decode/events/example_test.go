package events_test

import (
	"fmt"
	"log"

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
