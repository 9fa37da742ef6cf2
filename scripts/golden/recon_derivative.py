#!/usr/bin/python3
"""Reads the BIDS derivative that recon.WriteDerivative writes, with nibabel.

Run offline with Debian's nibabel and numpy on the derivative of the small
run in recon's TestDerivative:

    NEUROLATENT_KEEP_DERIVATIVE=/tmp/deriv go test ./recon -run 'TestDerivative$'
    /usr/bin/python3 scripts/golden/recon_derivative.py /tmp/deriv

Writes testdata/recon/derivative_nibabel.json: for every NIfTI map its
shape, datatype, affine and zooms as nibabel reads them, the number of
non-zero voxels, and two facts checked here with numpy: the selected-voxel
mask holds exactly the voxels whose weights are non-zero, and every
weights volume is zero outside the selected voxels. It also reads the
decoded latents (.npy) and the scores table. TestDerivativeNibabel compares
the Go reader's view of a fresh derivative with this file: the files are
readable by nibabel, and both readers agree on their geometry.
"""
import csv
import json
import os
import sys

import nibabel as nib
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "recon", "derivative_nibabel.json")


def main():
    deriv = sys.argv[1]
    with open(os.path.join(deriv, "dataset_description.json")) as f:
        desc = json.load(f)
    assert desc["DatasetType"] == "derivative", desc
    sub = os.path.join(deriv, "sub-01")
    maps = {}
    arrays = {}
    for name in sorted(os.listdir(sub)):
        if not name.endswith(".nii.gz"):
            continue
        img = nib.load(os.path.join(sub, name))
        data = np.asarray(img.dataobj, dtype=np.float64)
        arrays[name] = data
        maps[name] = {
            "shape": list(img.shape),
            "datatype": str(img.get_data_dtype()),
            "affine": np.round(img.affine, 6).tolist(),
            "zooms": [round(float(z), 6) for z in img.header.get_zooms()],
            "nonzero_voxels": int(np.count_nonzero(data if data.ndim == 3 else np.any(data != 0, axis=3))),
            "finite": bool(np.all(np.isfinite(data))),
        }
    sel = arrays["sub-01_desc-vaeganRidgeSelected_mask.nii.gz"] == 1
    w = arrays["sub-01_desc-vaeganRidgeWeights_statmap.nii.gz"]
    facts = {
        "selected": int(sel.sum()),
        "weights_zero_outside_selected": bool(np.all(w[~sel] == 0)),
        "selected_equals_nonzero_weights": bool(np.array_equal(sel, np.any(w != 0, axis=3))),
        "weight_volumes": int(w.shape[3]),
    }
    z = np.load(os.path.join(sub, "sub-01_task-test_desc-vaeganRidge_latents.npy"))
    with open(os.path.join(sub, "sub-01_task-test_desc-scores_table.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    facts["latents_shape"] = list(z.shape)
    facts["scores_rows"] = len(rows)
    facts["scores_columns"] = list(rows[0].keys())
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"nibabel": nib.__version__, "maps": maps, "facts": facts}, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
