package sim_test

import (
	"fmt"
	"log"
	"os"

	"github.com/neurolatent/neurolatent/decode/sim"
)

// Simulate a small experiment on Fashion-MNIST images and write it as
// NIfTI runs and events files.
func ExampleParticipant_Write() {
	images, err := sim.LoadIDX("../../testdata/decode/fashion/images-idx3-ubyte.gz")
	if err != nil {
		log.Fatal(err)
	}
	cfg := sim.DefaultConfig()
	cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = 100, 10, 3
	cfg.Grid = [3]int{10, 10, 6}
	cfg.EarlyVoxels, cfg.HigherVoxels = 100, 100
	cfg.WeakVoxels, cfg.NonselectiveVoxels = 20, 20
	p, err := sim.New(cfg, images)
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "sim")
	defer os.RemoveAll(dir)
	ds, err := p.Write(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range ds.Runs[:3] {
		fmt.Printf("%s run %d: %d trials, %d volumes\n", r.Task, r.Number, r.NumTrials, r.Frames)
	}
	fmt.Println(len(ds.Runs), "runs;", len(ds.TrainStim), "training and", len(ds.TestStim), "test images")
	// Output:
	// train run 1: 50 trials, 99 volumes
	// train run 2: 50 trials, 98 volumes
	// test run 1: 10 trials, 30 volumes
	// 5 runs; 100 training and 10 test images
}
