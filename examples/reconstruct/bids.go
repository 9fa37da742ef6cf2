package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/recon"
)

// bidsFlags are the flags that read a BIDS dataset instead of listing runs.
type bidsFlags struct{ dir, sub, ses, taskTrain, taskTest string }

var bids bidsFlags

func addBIDSFlags(fs *flag.FlagSet) {
	bids = bidsFlags{}
	fs.StringVar(&bids.dir, "bids", "", "a BIDS dataset `folder`: its runs, events, sidecars and derivatives mask replace -bold-*, -events-* and -mask")
	fs.StringVar(&bids.sub, "sub", "01", "participant `label` in -bids (without sub-)")
	fs.StringVar(&bids.ses, "ses", "", "session `label` in -bids (without ses-; default: none)")
	fs.StringVar(&bids.taskTrain, "task-train", "train", "the training runs' task `name` in -bids")
	fs.StringVar(&bids.taskTest, "task-test", "test", "the test runs' task `name` in -bids")
}

// resolveBIDS fills the run, events and mask options from -bids, and
// -stimuli with the dataset's folder when not given (stim_file values are
// paths inside it). Notes about the TR go to log.
func resolveBIDS(o *options, log io.Writer) error {
	if bids.dir == "" {
		return nil
	}
	if len(o.boldTrain) > 0 || len(o.boldTest) > 0 || o.betasTrain != "" {
		return cli.Usagef("-bids replaces -bold-train/-bold-test and -betas-*: give one or the other")
	}
	train, err := recon.FindBIDSRuns(bids.dir, bids.sub, bids.ses, bids.taskTrain)
	if err != nil {
		return err
	}
	test, err := recon.FindBIDSRuns(bids.dir, bids.sub, bids.ses, bids.taskTest)
	if err != nil {
		return err
	}
	o.boldTrain, o.eventsTrain = train.Bold, train.Events
	o.boldTest, o.eventsTest = test.Bold, test.Events
	o.trTrain, o.trTest = train.TR, test.TR
	if len(o.confTrain) == 0 && len(o.confTest) == 0 && train.Confounds != nil && test.Confounds != nil {
		o.confTrain, o.confTest = train.Confounds, test.Confounds
	}
	if o.mask == "" {
		if o.mask, err = recon.FindBIDSMask(bids.dir, bids.sub, bids.ses); err != nil {
			return err
		}
	}
	if o.stimuli == "" {
		o.stimuli = bids.dir
	}
	if notes := append(train.Notes, test.Notes...); len(notes) > 0 {
		more := ""
		if len(notes) > 1 {
			more = fmt.Sprintf(" (and %d more runs alike)", len(notes)-1)
		}
		say(log, "note: %s%s", notes[0], more)
	}
	conf := "no confounds tables"
	if len(o.confTrain) > 0 {
		conf = fmt.Sprintf("%d confounds tables", len(o.confTrain)+len(o.confTest))
	}
	say(log, "BIDS: sub-%s, %d %s runs, %d %s runs (TR %g s), mask %s, %s", bids.sub, len(train.Bold), bids.taskTrain, len(test.Bold), bids.taskTest, train.TR[0], o.mask, conf)
	return nil
}
