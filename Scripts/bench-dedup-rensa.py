#!/usr/bin/env python3
"""(d) of the dedup benchmark: rensa (Rust MinHash, PyPI) on the texts `bench-dedup bench --dump` wrote.

Usage: Scripts/bench-dedup-rensa.py TEXTS.jsonl   (pip install rensa)

Prints CPU time and items/s for rensa's whole pipeline (Python tokenizing into lower-cased words,
5-word shingles, RMinHash with 128 permutations, RMinHashLSH query + insert) and for its core alone
(RMinHash update + digest on shingles prepared beforehand), and the recall of planted copies.
"""
import json
import re
import sys
import time

import rensa

WORD = re.compile(r"\w+")


def shingles(text, k=5):
    words = WORD.findall(text.lower())
    if len(words) < k:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + k]) for i in range(len(words) - k + 1)]


def main():
    docs = [json.loads(line) for line in open(sys.argv[1])]
    n = len(docs)
    size = sum(len(d["text"].encode()) for d in docs)
    print(f"rensa {getattr(rensa, '__version__', '')}: {n} items, {size // n} bytes/item")

    # Whole pipeline: tokenize, shingle, sign, LSH query then insert.
    lsh = rensa.RMinHashLSH(threshold=0.5, num_perm=128, num_bands=16)
    found = 0
    cluster = list(range(n))
    t0 = time.process_time()
    for i, d in enumerate(docs):
        m = rensa.RMinHash(num_perm=128, seed=42)
        m.update(shingles(d["text"]))
        hits = lsh.query(m)
        if hits:
            cluster[i] = cluster[min(hits)]
        lsh.insert(i, m)
    whole = time.process_time() - t0
    for i, d in enumerate(docs):
        if d["copy_of"] >= 0 and cluster[i] == cluster[d["copy_of"]]:
            found += 1
    copies = sum(1 for d in docs if d["copy_of"] >= 0)
    print(f"(d) rensa whole pipeline: {whole:.2f} s CPU, {n / whole:.0f} items/s; planted copies found {found}/{copies}")

    prepared = [shingles(d["text"]) for d in docs]
    t0 = time.process_time()
    for s in prepared:
        m = rensa.RMinHash(num_perm=128, seed=42)
        m.update(s)
        m.digest()
    core = time.process_time() - t0
    print(f"(d) rensa core (RMinHash update + digest, shingles prepared): {core:.2f} s CPU, {n / core:.0f} items/s")


if __name__ == "__main__":
    main()
