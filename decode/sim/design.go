package sim

import (
	"math"
	"math/rand/v2"
)

// trial is one image presentation.
type trial struct {
	onset float64
	img   int     // index in the image set
	amp   float64 // response amplitude (trial and session gain, repetition suppression)
}

// runPlan is one run of the experiment.
type runPlan struct {
	task   string // "train" or "test"
	number int    // 1-based within the task
	frames int
	trials []trial
}

// schedule lays out the runs: training images (with repeats) shuffled and
// cut into runs; for each test repeat, the test images shuffled and cut
// into runs. Onsets follow each other by a jittered asynchrony.
func schedule(c *Config, train, test []int, rng *rand.Rand) []runPlan {
	var runs []runPlan
	chunk := func(task string, imgs []int) {
		for i := 0; i < len(imgs); {
			j := min(len(imgs), i+c.TrialsPerRun)
			if len(imgs)-j < 2 { // no run of fewer than 2 trials
				j = len(imgs)
			}
			runs = append(runs, runPlan{task: task, trials: toTrials(imgs[i:j])})
			i = j
		}
	}
	var all []int
	for r := 0; r < c.TrainRepeats; r++ {
		all = append(all, train...)
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	chunk("train", all)
	for r := 0; r < c.TestRepeats; r++ {
		t := append([]int(nil), test...)
		rng.Shuffle(len(t), func(i, j int) { t[i], t[j] = t[j], t[i] })
		chunk("test", t)
	}
	count := map[string]int{}
	for i := range runs {
		count[runs[i].task]++
		runs[i].number = count[runs[i].task]
		t := c.LeadIn
		for k := range runs[i].trials {
			runs[i].trials[k].onset = t
			t += c.SOAMin + (c.SOAMax-c.SOAMin)*rng.Float64()
		}
		last := runs[i].trials[len(runs[i].trials)-1].onset
		runs[i].frames = int(math.Ceil((last + c.StimDuration + c.LeadOut) / c.TR))
	}
	return runs
}

func toTrials(imgs []int) []trial {
	t := make([]trial, len(imgs))
	for i, m := range imgs {
		t[i].img = m
	}
	return t
}
