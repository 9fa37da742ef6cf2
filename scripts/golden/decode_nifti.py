#!/usr/bin/python3
"""NIfTI fixtures and the values nibabel reads from them, for decode/nifti.

Run offline with Debian's Python (python3-nibabel 5.0, python3-nitime 0.9):

    /usr/bin/python3 scripts/golden/decode_nifti.py

It copies real test images shipped by nibabel (MIT) and nitime (BSD-3) into
testdata/decode/nifti/, writes a few more images with nibabel's own writer
(types, byte orders, scaling, NaN, NIfTI-2, a 5D image) and records what
nibabel reads from each in expected.json: shape, datatype, byte order,
zooms, units, scaling, qform/sform/best affine, sums and sampled voxels.
The Go tests compare decode/nifti's reader with these numbers.
"""

import json
import os
import shutil

import nibabel as nib
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "nifti")
NIB = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
NITIME = "/usr/lib/python3/dist-packages/nitime/data"

COPIED = {
    "anatomical.nii": NIB,  # big-endian int16, 3D
    "functional.nii": NIB,  # int16 4D, 17x21x3x20
    "example4d.nii.gz": NIB,  # TR stored in ms with unit "sec"
    "example_nifti2.nii.gz": NIB,  # NIfTI-2
    "standard.nii.gz": NIB,  # uint8, sform only
    "reoriented_anat_moved.nii": NIB,  # big-endian float32
    "row_major.dconn.nii": NIB,  # CIFTI-2 (NIfTI-2, 6 dims): must be rejected
    "fmri1.nii.gz": NITIME,  # real fMRI, 10x10x18x40 int16, TR 1.35 s
}


def written():
    """Images made here with nibabel's writer."""
    rng = np.random.default_rng(20240601)
    aff = np.array([[-2.5, 0.1, 0, 30], [0.2, 2.5, 0, -40], [0, 0, 3, -12], [0, 0, 0, 1]])
    out = {}

    d = rng.standard_normal((5, 4, 3))
    img = nib.Nifti1Image(d.astype("<f8"), aff)
    out["f64_3d.nii"] = img

    d = rng.integers(-1000, 1000, size=(6, 5, 4, 3)).astype("<i4")
    img = nib.Nifti1Image(d, np.eye(4))
    img.header.set_slope_inter(0.5, -3)
    img.header.set_xyzt_units("mm", "msec")
    img.header["pixdim"][4] = 1500
    out["i32_scaled_4d.nii.gz"] = img

    d = rng.integers(0, 255, size=(7, 3, 2)).astype("u1")
    hdr = nib.Nifti1Header(endianness=">")
    img = nib.Nifti1Image(d, aff, header=hdr)
    out["u8_be.nii"] = img

    d = rng.standard_normal((4, 4, 3, 2)).astype("<f4")
    d[1, 2, 0, 0] = np.nan
    d[3, 0, 2, 1] = np.nan
    d[0, 0, 0, 1] = np.inf
    img = nib.Nifti1Image(d, aff)
    img.header.set_xyzt_units("mm", "sec")
    img.header["pixdim"][4] = 2.0
    out["nan_f32_4d.nii.gz"] = img

    d = (rng.standard_normal((3, 4, 5, 4)) * 100).astype(">f4")
    hdr = nib.Nifti2Header(endianness=">")
    img = nib.Nifti2Image(d, aff, header=hdr)
    img.header.set_xyzt_units("mm", "sec")
    img.header["pixdim"][4] = 0.8
    out["nifti2_be_4d.nii"] = img

    d = rng.integers(-30000, 30000, size=(3, 3, 2)).astype("<i2")
    img = nib.Nifti1Image(d, aff)
    img.header.set_slope_inter(0.25, 10)
    out["i16_scaled.nii"] = img

    d = np.arange(2 * 2 * 2 * 2 * 3, dtype="<f4").reshape(2, 2, 2, 2, 3)
    out["five_d.nii"] = nib.Nifti1Image(d, np.eye(4))
    return out


def describe(path):
    img = nib.load(path)
    h = img.header
    data = np.asarray(img.get_fdata(dtype=np.float64))
    flat = data.ravel(order="F")
    finite = np.isfinite(flat)
    rng = np.random.default_rng(len(flat))
    idx = sorted(set(rng.integers(0, len(flat), size=min(25, len(flat))).tolist()) | {0, len(flat) - 1})
    # nibabel moves the scaling from the header to the array proxy on load.
    slope, inter = float(img.dataobj.slope), float(img.dataobj.inter)
    xyz, t = h.get_xyzt_units()
    e = {
        "version": 2 if isinstance(h, nib.Nifti2Header) else 1,
        "shape": list(data.shape),
        "datatype": int(h["datatype"]),
        "big_endian": h.endianness == ">",
        "zooms": [float(z) for z in h.get_zooms()],
        "pixdim": [float(p) for p in h["pixdim"]],
        "space_unit": xyz,
        "time_unit": t,
        "slope": slope,
        "inter": inter,
        "qform_code": int(h["qform_code"]),
        "sform_code": int(h["sform_code"]),
        "qform": h.get_qform().tolist(),
        "sform": h.get_sform().tolist(),
        "affine": img.affine.tolist(),
        "sum": float(flat[finite].sum()),
        "sumsq": float((flat[finite] ** 2).sum()),
        "nan": int(np.isnan(flat).sum()),
        "posinf": int(np.isposinf(flat).sum()),
        "samples": [[int(i), None if not np.isfinite(flat[i]) else float(flat[i])] for i in idx],
    }
    if data.ndim == 4:
        vols = [data[..., k] for k in range(data.shape[3])]
        e["volume_sums"] = [float(v[np.isfinite(v)].sum()) for v in vols]
    return e


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, src in COPIED.items():
        shutil.copyfile(os.path.join(src, name), os.path.join(OUT, name))
    for name, img in written().items():
        nib.save(img, os.path.join(OUT, name))
    for name in sorted(os.listdir(OUT)):
        if not (name.endswith(".nii") or name.endswith(".nii.gz")):
            continue
        path = os.path.join(OUT, name)
        try:
            expected[name] = describe(path)
        except Exception as exc:  # files nibabel reads as something else
            expected[name] = {"nibabel_error": f"{type(exc).__name__}: {exc}"}
    # nibabel reads the 5D image; record its shape so the test can check the
    # rejection is about dimensions. The CIFTI file is recorded as 6D.
    ci = nib.Nifti2Header.from_fileobj(open(os.path.join(OUT, "row_major.dconn.nii"), "rb"))
    expected["row_major.dconn.nii"] = {"dim": [int(x) for x in ci["dim"]]}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
