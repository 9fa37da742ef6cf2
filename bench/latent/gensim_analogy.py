#!/usr/bin/python3
"""gensim's side of bench/latent: evaluate_word_analogies on GloVe.

    /usr/bin/python3 bench/latent/gensim_analogy.py VECTORS QUESTIONS RUN [RUN...]

Loads the GloVe text file with KeyedVectors.load_word2vec_format(no_header=True)
and, for each RUN:

  RESTRICT      evaluate_word_analogies(QUESTIONS, restrict_vocab=RESTRICT)
                (3CosAdd, case-insensitive, gensim's defaults otherwise);
  mul:RESTRICT  the same evaluation loop with most_similar_cosmul (3CosMul)
                on a model of the first RESTRICT words: gensim 4.2's
                evaluate_word_analogies has no 3CosMul and its
                most_similar_cosmul ignores restrict_vocab, so this replica
                (also in scripts/golden/latent_analogy.py) checks package
                latent's CosMul; it is not a speed reference.

Prints one JSON object per line:

  {"method", "restrict", "load_seconds", "seconds", "sections": [{"name",
   "correct", "total"}], "correct", "total", "status": "CI..."}

status has one letter per question that gensim evaluated, in file order:
C (correct) or I (incorrect); questions gensim skipped are left out. Run with
OPENBLAS_NUM_THREADS set as wanted (bench/latent/run.sh sets 2).
"""
import json
import logging
import sys
import time

import gensim
from gensim.models import KeyedVectors


def statuses(sections):
    out = []
    for s in sections[:-1]:  # the last entry is the total
        # gensim appends each question to 'correct' or 'incorrect' in file
        # order; the file order is recovered by merging the two lists
        # against the questions as gensim parsed them (see main).
        out.append((s["section"], s["correct"], s["incorrect"]))
    return out


def file_order(path, restrict_sections):
    """Per section, the uppercase 4-tuples in file order, parsed as gensim does."""
    order, cur = [], None
    with open(path, "rb") as f:
        for line in f:
            line = line.decode("utf8")
            if line.startswith(": "):
                cur = []
                order.append(cur)
                continue
            words = [w.upper() for w in line.split()]
            if len(words) == 4 and cur is not None:
                cur.append(tuple(words))
    return order


def cosmul_evaluate(kv, path, restrict):
    """evaluate_word_analogies' loop with most_similar_cosmul on the first restrict words."""
    ok_keys = kv.index_to_key[:restrict]
    model = KeyedVectors(kv.vector_size, count=0)
    model.add_vectors(ok_keys, kv.vectors[:len(ok_keys)])
    ok_vocab = {k.upper(): model.get_index(k) for k in reversed(ok_keys)}
    sections, section = [], None
    with open(path, "rb") as fin:
        for line in fin:
            line = line.decode("utf8")
            if line.startswith(": "):
                if section:
                    sections.append(section)
                section = {"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []}
                continue
            try:
                a, b, c, expected = [w.upper() for w in line.split()]
            except ValueError:
                continue
            if a not in ok_vocab or b not in ok_vocab or c not in ok_vocab or expected not in ok_vocab:
                continue
            original = model.key_to_index
            model.key_to_index = ok_vocab
            sims = model.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
            model.key_to_index = original
            predicted = None
            for element in sims:
                predicted = element[0].upper()
                if predicted in ok_vocab and predicted not in {a, b, c}:
                    break
            section["correct" if predicted == expected else "incorrect"].append((a, b, c, expected))
    if section:
        sections.append(section)
    total = {"section": "Total accuracy",
             "correct": [t for s in sections for t in s["correct"]],
             "incorrect": [t for s in sections for t in s["incorrect"]]}
    return None, sections + [total]


def main():
    vectors, questions = sys.argv[1], sys.argv[2]
    runs = sys.argv[3:]
    logging.basicConfig(level=logging.WARNING)
    t0 = time.perf_counter()
    kv = KeyedVectors.load_word2vec_format(vectors, binary=False, no_header=True)
    load = time.perf_counter() - t0
    order = file_order(questions, None)
    for run in runs:
        method, _, r = run.rpartition(":")
        method = method or "add"
        r = int(r)
        t0 = time.perf_counter()
        if method == "mul":
            _, sections = cosmul_evaluate(kv, questions, r)
        else:
            _, sections = kv.evaluate_word_analogies(questions, restrict_vocab=r)
        secs = time.perf_counter() - t0
        status = []
        for (name, corr, inc), tuples in zip(statuses(sections), order):
            ci = ii = 0
            for t in tuples:
                if ci < len(corr) and tuple(corr[ci]) == t:
                    status.append("C")
                    ci += 1
                elif ii < len(inc) and tuple(inc[ii]) == t:
                    status.append("I")
                    ii += 1
            assert ci == len(corr) and ii == len(inc), name
        total = sections[-1]
        print(json.dumps({
            "gensim": gensim.__version__,
            "method": method,
            "restrict": r,
            "load_seconds": load,
            "seconds": secs,
            "sections": [{"name": s["section"], "correct": len(s["correct"]),
                          "total": len(s["correct"]) + len(s["incorrect"])} for s in sections[:-1]],
            "correct": len(total["correct"]),
            "total": len(total["correct"]) + len(total["incorrect"]),
            "status": "".join(status),
        }), flush=True)


if __name__ == "__main__":
    main()
