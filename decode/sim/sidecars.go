package sim

import (
	"path/filepath"
	"strings"
)

// writeSidecars adds what BIDS tools read besides the images: a
// *_bold.json sidecar per run (RepetitionTime, TaskName) and the
// derivatives folder's dataset_description.json (DatasetType derivative,
// GeneratedBy), so that a BIDS reader takes the TR from the sidecar as it
// would on real data.
func (p *Participant) writeSidecars(ds *Dataset) error {
	for _, r := range ds.Runs {
		side := map[string]any{
			"RepetitionTime": p.cfg.TR,
			"TaskName":       r.Task,
		}
		if err := writeJSON(strings.TrimSuffix(r.Bold, ".nii.gz")+".json", side); err != nil {
			return err
		}
	}
	desc := map[string]any{
		"Name":        "neurolatent simulated participant: masks and noise-free responses",
		"BIDSVersion": "1.8.0",
		"DatasetType": "derivative",
		"GeneratedBy": []map[string]any{{"Name": "neurolatent decode/sim", "Description": "the simulator's ground truth: visual and brain masks, noise-free responses, the configuration"}},
	}
	return writeJSON(filepath.Join(ds.Dir, "derivatives", "sim", "dataset_description.json"), desc)
}
