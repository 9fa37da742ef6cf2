#!/usr/bin/python3
"""Golden data for package latent: gensim 4.2 on a committed GloVe subset.

Run offline with Debian's python3-gensim and numpy (not the python3 on PATH),
after scripts/get-glove.sh:

    /usr/bin/python3 scripts/golden/latent_analogy.py [GLOVE] [QUESTIONS]

GLOVE defaults to bench/latent/data/glove.6B.100d.txt, QUESTIONS to
testdata/latent/questions-words.txt. Writes into testdata/latent/:

  glove-subset.txt.gz   GloVe 6B 100d lines copied verbatim (PDDL): the 500
                        most frequent words, then every other word of the
                        Google analogy set among the 20,000 most frequent, in
                        the file's (frequency) order
  gensim-w2v.txt        the subset's first 40 words as gensim's
  gensim-w2v.bin        save_word2vec_format writes them (text, binary)
  latent_golden.json    what gensim computes on the subset:
    vectors             float32 bit patterns of a few words as gensim loads them
    evaluations         evaluate_word_analogies at several restrict_vocab:
                        per-section counts and a per-question status string
                        (C/I per evaluated question, file order); "mul" runs
                        are gensim's evaluation loop with most_similar_cosmul
                        on the first restrict_vocab words (gensim 4.2's
                        evaluate_word_analogies has no 3CosMul, and its
                        most_similar_cosmul ignores restrict_vocab)
    most_similar        top-10 lists of most_similar / most_similar_cosmul
"""
import gzip
import io
import itertools
import json
import os
import struct
import sys

import numpy as np
import gensim
from gensim.models import KeyedVectors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "testdata", "latent")
GLOVE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", "latent", "data", "glove.6B.100d.txt")
QUESTIONS = sys.argv[2] if len(sys.argv) > 2 else os.path.join(OUT, "questions-words.txt")


def question_words(path):
    words = set()
    with open(path, encoding="utf8") as f:
        for line in f:
            if line.startswith(": "):
                continue
            words.update(w.lower() for w in line.split())
    return words


def make_subset():
    qw = question_words(QUESTIONS)
    lines = []
    with open(GLOVE, "rb") as f:
        for rank, line in enumerate(f):
            if rank >= 20000:
                break
            word = line.split(b" ", 1)[0].decode("utf8")
            if rank < 500 or word in qw:
                lines.append(line)
    path = os.path.join(OUT, "glove-subset.txt.gz")
    # mtime=0 and no file name: the same input gives the same bytes.
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as z:
            z.writelines(lines)
    return path, len(lines)


def evaluate(kv, path, restrict, method):
    """gensim 4.2's evaluate_word_analogies loop (case-insensitive, no dummy4unknown).

    For method "add" it calls most_similar exactly as gensim does; the script
    checks that it reproduces evaluate_word_analogies. For "mul" the candidates
    come from most_similar_cosmul on a model holding the first `restrict`
    words only, so that restrict_vocab applies.
    """
    ok_keys = kv.index_to_key[:restrict]
    ok_vocab = {k.upper(): kv.get_index(k) for k in reversed(ok_keys)}
    if method == "mul":
        model = KeyedVectors(kv.vector_size, count=0)
        model.add_vectors(ok_keys, kv.vectors[:len(ok_keys)])
        ok_vocab = {k.upper(): model.get_index(k) for k in reversed(ok_keys)}
    else:
        model = kv
    sections, section = [], None
    with open(path, "rb") as fin:
        for line in fin:
            line = line.decode("utf8")
            if line.startswith(": "):
                if section:
                    sections.append(section)
                section = {"name": line.lstrip(": ").strip(), "status": []}
                continue
            try:
                a, b, c, expected = [w.upper() for w in line.split()]
            except ValueError:
                continue
            if a not in ok_vocab or b not in ok_vocab or c not in ok_vocab or expected not in ok_vocab:
                continue
            original = model.key_to_index
            model.key_to_index = ok_vocab
            ignore = {a, b, c}
            predicted = None
            if method == "mul":
                sims = model.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
            else:
                sims = model.most_similar(positive=[b, c], negative=[a], topn=5, restrict_vocab=restrict)
            model.key_to_index = original
            for element in sims:
                predicted = element[0].upper()
                if predicted in ok_vocab and predicted not in ignore:
                    break
            section["status"].append("C" if predicted == expected else "I")
    if section:
        sections.append(section)
    return [{"name": s["name"], "correct": s["status"].count("C"), "total": len(s["status"]),
             "status": "".join(s["status"])} for s in sections]


def gensim_evaluate(kv, path, restrict):
    _, sections = kv.evaluate_word_analogies(path, restrict_vocab=restrict)
    return [{"name": s["section"], "correct": len(s["correct"]),
             "total": len(s["correct"]) + len(s["incorrect"])} for s in sections[:-1]]


def bits(v):
    return [struct.unpack("<I", struct.pack("<f", float(x)))[0] for x in v]


def main():
    subset, n = make_subset()
    kv = KeyedVectors.load_word2vec_format(subset, binary=False, no_header=True)
    assert len(kv) == n, (len(kv), n)

    small = KeyedVectors(kv.vector_size, count=0)
    small.add_vectors(kv.index_to_key[:40], kv.vectors[:40])
    small.save_word2vec_format(os.path.join(OUT, "gensim-w2v.txt"), binary=False)
    small.save_word2vec_format(os.path.join(OUT, "gensim-w2v.bin"), binary=True)
    back = KeyedVectors.load_word2vec_format(os.path.join(OUT, "gensim-w2v.bin"), binary=True)
    assert np.array_equal(back.vectors, kv.vectors[:40])

    golden = {
        "gensim": gensim.__version__, "numpy": np.__version__,
        "words": len(kv), "dim": kv.vector_size,
        "first": kv.index_to_key[:3], "last": kv.index_to_key[-1],
        "vectors": {w: bits(kv[w]) for w in ["the", "king", "queen", kv.index_to_key[-1]]},
        "evaluations": [], "most_similar": [],
    }
    for restrict in [300, 800, 300000]:
        for method in ["add", "mul"]:
            secs = evaluate(kv, QUESTIONS, restrict, method)
            if method == "add":
                ref = gensim_evaluate(kv, QUESTIONS, restrict)
                assert [(s["name"], s["correct"], s["total"]) for s in secs] == \
                       [(s["name"], s["correct"], s["total"]) for s in ref], "replica differs from gensim"
            golden["evaluations"].append({"restrict": restrict, "method": method, "sections": secs})

    queries = [
        (["queen", "man"], ["woman"], None),
        (["king", "woman"], ["man"], None),
        (["paris", "germany"], ["france"], None),
        (["king"], [], None),
        (["walking", "swam"], ["walked"], None),
        (["president", "government"], ["state"], 400),
        (["good", "bad", "better"], ["worse", "day"], None),
    ]
    for pos, neg, restrict in queries:
        for method in ["add", "mul"]:
            if method == "mul":
                keys = kv.index_to_key[:restrict] if restrict else kv.index_to_key
                model = KeyedVectors(kv.vector_size, count=0)
                model.add_vectors(keys, kv.vectors[:len(keys)])
                res = model.most_similar_cosmul(positive=pos, negative=neg, topn=10)
            else:
                res = kv.most_similar(positive=pos, negative=neg, topn=10, restrict_vocab=restrict)
            golden["most_similar"].append({"positive": pos, "negative": neg, "restrict": restrict or 0,
                                           "method": method, "result": [[w, s] for w, s in res]})

    with open(os.path.join(OUT, "latent_golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print("subset: %d words; %d evaluations; %d queries" % (n, len(golden["evaluations"]), len(golden["most_similar"])))


if __name__ == "__main__":
    main()
