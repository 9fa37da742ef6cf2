package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/neurolatent/neurolatent/recon"
)

// DerivativeDir is where, inside -out, the run is written as a BIDS
// derivative.
const DerivativeDir = "derivatives/neurolatent"

// writeDerivative writes the run as a BIDS derivative (package recon's
// WriteDerivative), with maps in the participant's space when the voxels'
// positions are known: the simulated participant's visual mask, or -mask.
func writeDerivative(o options, args []string, res *recon.Result, data *recon.Data, log io.Writer) error {
	mask := ""
	switch {
	case o.betasTrain != "":
		say(log, "note: betas given as .npy have no voxel positions: the derivative has no brain maps")
	case len(o.boldTrain) > 0:
		if mask = o.mask; mask == "" {
			say(log, "note: no -mask: the derivative has no brain maps")
		}
	default:
		m, _ := filepath.Glob(filepath.Join(o.out, "participant", "derivatives", "*", "*_desc-visual_mask.nii.gz"))
		if len(m) == 1 {
			mask = m[0]
		}
	}
	cmd := append([]string{"reconstruct"}, args...)
	info := recon.DerivativeInfo{Name: "neurolatent reconstruct", CommandLine: cmd, Mask: mask}
	deriv := filepath.Join(o.out, filepath.FromSlash(DerivativeDir))
	if err := res.WriteDerivative(deriv, data, info); err != nil {
		return err
	}
	// The report: one HTML file with everything embedded.
	r2, _ := filepath.Glob(filepath.Join(deriv, "sub-*", "*EncodingR2_statmap.nii.gz"))
	hopt := recon.HTMLOptions{Settings: [][2]string{{"command line", strings.Join(cmd, " ")}, {"output", o.out}}, Cols: o.cols}
	if len(r2) == 1 {
		hopt.R2Map = r2[0]
	}
	return res.WriteHTML(o.out, hopt)
}

func say(w io.Writer, format string, a ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", a...)
	}
}
