#!/usr/bin/python3
"""Side-by-side table of bench/latent/run.sh's results, in Markdown.

    /usr/bin/python3 bench/latent/compare.py GO.jsonl GENSIM.jsonl NUMPY.json

Fails (exit 1) when a per-section count or a per-question status differs
from gensim's, or when the k-NN neighbours differ from numpy's.
"""
import json
import sys


def load_lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def main():
    go = load_lines(sys.argv[1])
    gensim = {(d["method"], d["restrict"]): d for d in load_lines(sys.argv[2])}
    numpy = load_lines(sys.argv[3])[0]
    ok = True
    out = []
    out.append("### Word analogies: GloVe 6B 100d, Google set, 3CosAdd\n")
    out.append("| restrict | evaluated | correct (Go) | correct (gensim) | sections identical | questions identical "
               "| Go s (median) | gensim s (median) | Go / gensim |")
    out.append("|---:|---:|---:|---:|:-:|:-:|---:|---:|---:|")
    detail = []
    for d in go:
        if d.get("bench") != "analogy" or d["method"] != "add":
            continue
        g = gensim[("add", d["restrict"])]
        secs_same = [(s["name"], s["correct"], s["total"]) for s in d["sections"]] == \
                    [(s["name"], s["correct"], s["total"]) for s in g["sections"]]
        diff = sum(a != b for a, b in zip(d["status"], g["status"])) + abs(len(d["status"]) - len(g["status"]))
        ok = ok and secs_same and diff == 0
        out.append("| %d | %d | %d | %d | %s | %s | %.3f | %.2f | %.4f |" % (
            d["restrict"], d["total"], d["correct"], g["correct"], "yes" if secs_same else "**NO**",
            "yes" if diff == 0 else "**NO (%d differ)**" % diff, d["seconds"], g["seconds"], d["seconds"] / g["seconds"]))
        detail.append("\nPer section at restrict %d (Go = gensim where marked =):\n" % d["restrict"])
        detail.append("| section | correct | total | accuracy | gensim |")
        detail.append("|---|---:|---:|---:|:-:|")
        for a, b in zip(d["sections"], g["sections"]):
            same = (a["name"], a["correct"], a["total"]) == (b["name"], b["correct"], b["total"])
            acc = 100.0 * a["correct"] / a["total"] if a["total"] else 0.0
            detail.append("| %s | %d | %d | %.1f%% | %s |" % (a["name"], a["correct"], a["total"], acc,
                                                           "=" if same else "%d/%d" % (b["correct"], b["total"])))
        detail.append("| **total** | %d | %d | %.1f%% | %s |" % (d["correct"], d["total"], 100.0 * d["correct"] / d["total"],
                                                                "=" if d["correct"] == g["correct"] and d["total"] == g["total"] else "%d/%d" % (g["correct"], g["total"])))
    for d in go:
        if d.get("bench") != "analogy" or d["method"] != "mul":
            continue
        g = gensim.get(("mul", d["restrict"]))
        line = "\n3CosMul at restrict %d: Go %d/%d = %.1f%% in %.3f s" % (
            d["restrict"], d["correct"], d["total"], 100.0 * d["correct"] / d["total"], d["seconds"])
        if g is None:
            line += " (no gensim reference run at this restrict)"
        else:
            secs_same = [(s["name"], s["correct"], s["total"]) for s in d["sections"]] == \
                        [(s["name"], s["correct"], s["total"]) for s in g["sections"]]
            diff = sum(a != b for a, b in zip(d["status"], g["status"])) + abs(len(d["status"]) - len(g["status"]))
            ok = ok and secs_same and diff == 0
            line += "; gensim's most_similar_cosmul in its evaluation loop (first %d words): %d/%d, sections %s, questions %s (%.1f s, not a speed reference)" % (
                d["restrict"], g["correct"], g["total"], "identical" if secs_same else "**DIFFER**",
                "identical" if diff == 0 else "**%d differ**" % diff, g["seconds"])
        detail.append(line)
    knn = [d for d in go if d.get("bench") == "knn"][0]
    same = knn["first"] == numpy["first"] and knn["last"] == numpy["last"]
    ok = ok and same
    out.append("\n### Exact k-NN: %d x %d float32 bank, %d queries per batch, k = %d, cosine\n" % (knn["n"], knn["d"], knn["queries"], knn["k"]))
    out.append("| | seconds per batch (median) | queries/s | ratio | neighbours identical |")
    out.append("|---|---:|---:|---:|:-:|")
    out.append("| Go latent.Bank.Search (%s) | %.3f | %.0f | %.2fx numpy | %s |" % (
        knn["blas"], knn["seconds"], knn["qps"], knn["qps"] / numpy["qps"], "yes" if same else "**NO**"))
    out.append("| numpy %s brute force (OpenBLAS sgemm + argpartition, batch %d) | %.3f | %.0f | 1 | |" % (
        numpy["numpy"], numpy["batch"], numpy["seconds"], numpy["qps"]))
    print("\n".join(out + detail))
    if not ok:
        print("\nMISMATCH: see the tables above", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
