// Command haxby classifies the categories of Haxby et al. (2001) from
// one subject's ventral temporal cortex, the classic test of the NIfTI,
// GLM and classification path on a real scanner's data.
//
//	go run ./examples/haxby [-data DIR] [-routes 4d,runs] [-patterns betas,volumes,means] [-json OUT.json]
//
// The data are PyMVPA's copy of subject 1 (TR 2.5 s, 12 runs of 121
// volumes, 8 categories in 9-volume blocks between rest), found by
// default at ../shared/data/real/haxby2001-sub1 from the module root. Two
// routes lead to the same kind of samples:
//
//   - 4d: bold.nii.gz (all runs concatenated) with the per-volume
//     attribute table attributes_literal.txt ("label run"; rest is the
//     baseline), through mask.nii.gz (530 ventral temporal voxels);
//   - runs: the per-run files runs-25mm/task001_runNNN/<-runs-bold> with
//     their bold_events.tsv, through <-runs-mask>. The defaults are the
//     25 mm whole-brain images and masks-25mm/25mm/brain.nii.gz: the
//     ventral temporal mask of that folder (vt.nii.gz) holds a single
//     25 mm voxel, and a correlation across one voxel is undefined.
//     -runs-bold bold_1slice.nii.gz -runs-mask mask.nii.gz reads the
//     same volumes as the 4d route from the per-run files.
//
// For each route and pattern kind (betas: one GLM beta per block, SPM
// canonical HRF, cosine drifts at -hp, a constant, one GLM per run;
// volumes: every volume inside a block; means: each block's mean volume)
// the patterns are z-scored per voxel within each run (volumes: the whole
// series, rest included, before the block volumes are picked) and classified
// leave-one-run-out by the correlation classifier (package
// decode/classify), with a 95% percentile bootstrap interval over the
// test samples (-boot resamples) and a permutation p-value (-perm
// shuffles of the labels within runs, each a full cross-validation).
// Chance is 1/8. -json writes every number, predictions included.
//
// It is a command of its own rather than a subcommand of
// examples/decoder: decoder's subcommands are generic file-to-file steps
// of the latent decoding pipeline, while this is one analysis of one data
// set, with that data set's layout built in. docs/haxby/README.md has the
// results and scripts/golden/haxby_numpy.py the independent check.
package main
