#!/usr/bin/python3
"""Tables, log-log slopes and a plot from bench/scale's results.jsonl.

    /usr/bin/python3 bench/scale/summarise.py results.jsonl OUTDIR

Writes OUTDIR/RESULTS.md (also printed) and OUTDIR/scale.png. PCA rows
give the exact and the randomized solvers of both sides (Go's peaks for
each; scikit-learn's process runs both, so its peak is the larger). The slope
of log time (or log peak memory) against log size is fitted by least
squares over the sizes measured, and separately over the largest three,
where the leading term dominates.
"""
import collections
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

OPS = ["glm", "select", "ridge", "pca"]
NAMES = {"glm": "GLM betas (LSS)", "select": "voxel selection", "ridge": "RidgeCV -> 1,024", "pca": "PCA (100)"}
IMPLS = ["go", "go-randomized", "sklearn", "sklearn-full"]


def slope(xs, ys):
    if len(xs) < 2:
        return float("nan")
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def main():
    path, out = sys.argv[1], sys.argv[2]
    rows = [json.loads(l) for l in open(path) if l.strip()]
    machine = open(f"{out}/machine.txt").read().strip() if len(sys.argv) > 2 else ""
    by = collections.defaultdict(dict)  # (op, axis, impl) -> size -> row
    for r in rows:
        if r.get("axis") == "cross":
            continue
        size = r["n"] if r["axis"] == "trials" else r["p"]
        by[(r["op"], r["axis"], r["impl"])][size] = r
    lines = [machine, ""]
    for axis, fixed in (("trials", "voxels"), ("voxels", "trials")):
        some = [r for r in rows if r.get("axis") == axis]
        if not some:
            continue
        fix = some[0]["p"] if axis == "trials" else some[0]["n"]
        lines += [f"### Against {axis} ({fix:,} {fixed})", "",
                  "| step | " + axis + " | Go s | Go peak MiB | scikit-learn s | peak MiB | Go / sklearn time | load |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        slopes = []
        for op in OPS:
            g = by.get((op, axis, "go"), {})
            for size in sorted(set(g) | set(by.get((op, axis, "sklearn"), {}))):
                gr, sr = g.get(size, {}), by.get((op, axis, "sklearn"), {}).get(size, {})
                fr = by.get((op, axis, "sklearn-full"), {}).get(size, {})
                rr = by.get((op, axis, "go-randomized"), {}).get(size, {})

                def t(r):
                    if "failed" in r:
                        return "timed out" if r["failed"] == 124 else f"failed ({r['failed']})"
                    return f"{r['seconds']:.2f}" if "seconds" in r else "-"
                ratio = f"{gr['seconds'] / sr['seconds']:.2f}" if "seconds" in gr and "seconds" in sr else "-"
                skl = t(sr)
                gos = t(gr)
                if "seconds" in fr:
                    # PCA: exact against exact, randomized against randomized.
                    skl = f"{t(fr)} exact, {t(sr)} randomized"
                    gos = f"{t(gr)} exact, {t(rr)} randomized"
                    ratio = "-"
                    if "seconds" in gr:
                        ratio = f"{gr['seconds'] / fr['seconds']:.2f} exact"
                    if "seconds" in rr and "seconds" in sr:
                        ratio += f", {rr['seconds'] / sr['seconds']:.2f} randomized"
                gpeak = gr.get("peak_mib", "-")
                if "peak_mib" in rr:
                    gpeak = f"{gpeak} / {rr['peak_mib']}"
                lines.append(f"| {NAMES[op]} | {size:,} | {gos} | {gpeak} | {skl} | {sr.get('peak_mib', '-')} | {ratio} | {gr.get('load', '-')} |")
            for impl in IMPLS:
                d = {s: r for s, r in by.get((op, axis, impl), {}).items() if "seconds" in r}
                if len(d) >= 2:
                    xs = sorted(d)
                    ts, ms = [d[x]["seconds"] for x in xs], [d[x]["peak_mib"] for x in xs]
                    slopes.append(f"| {NAMES[op]} | {impl} | {slope(xs, ts):.2f} | {slope(xs[-3:], ts[-3:]):.2f} | {slope(xs, ms):.2f} | {slope(xs[-3:], ms[-3:]):.2f} |")
        lines += ["", f"Log-log slopes against {axis} (time ~ size^slope):", "",
                  "| step | implementation | time, all sizes | time, largest 3 | peak memory, all | peak memory, largest 3 |",
                  "|---|---|---:|---:|---:|---:|"] + slopes + [""]
    cross = [r for r in rows if r.get("axis") == "cross" and "seconds" in r]
    if cross:
        lines += [f"### RidgeCV primal against dual form ({cross[0]['p']:,} voxels -> 1,024)", "",
                  "| trials | primal s | dual s | primal / dual |", "|---:|---:|---:|---:|"]
        t = collections.defaultdict(dict)
        for r in cross:
            t[r["n"]][r["mode"]] = r["seconds"]
        for n in sorted(t):
            pr, du = t[n].get("primal"), t[n].get("dual")
            if pr and du:
                lines.append(f"| {n:,} | {pr:.2f} | {du:.2f} | {pr / du:.2f} |")
        lines.append("")
    text = "\n".join(lines)
    open(f"{out}/RESULTS.md", "w").write(text + "\n")
    print(text)

    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    colours = dict(zip(OPS, ["tab:green", "tab:purple", "tab:blue", "tab:orange"]))
    styles = {"go": "-", "go-randomized": "-.", "sklearn": "--", "sklearn-full": ":"}
    for col, axis in enumerate(("trials", "voxels")):
        for row, key in enumerate(("seconds", "peak_mib")):
            ax = axes[row][col]
            for op in OPS:
                for impl in IMPLS:
                    d = {s: r for s, r in by.get((op, axis, impl), {}).items() if key in r}
                    if len(d) < 2:
                        continue
                    xs = sorted(d)
                    label = NAMES[op] + ", " + {"go": "Go", "go-randomized": "Go randomized", "sklearn": "scikit-learn",
                                                "sklearn-full": "scikit-learn full SVD"}[impl]
                    ax.loglog(xs, [d[x][key] for x in xs], styles[impl], color=colours[op], marker="o", ms=3, label=label)
            ax.set_xlabel(axis)
            ax.set_ylabel("seconds" if key == "seconds" else "peak resident memory, MiB")
            ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.suptitle("bench/scale: " + machine.lstrip("# "), fontsize=8)
    fig.tight_layout()
    fig.savefig(f"{out}/scale.png", dpi=110)


if __name__ == "__main__":
    main()
