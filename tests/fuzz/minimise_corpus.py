#!/usr/bin/env python3
"""Keeps the committed corpus of a fuzz target small after a long run.

    tests/fuzz/minimise_corpus.py build-fuzz/bin/TARGET tests/fuzz/corpus/TARGET RUN_CORPUS...

The hand-written seeds (the second argument) all stay. Of the inputs the runs found, it adds the
fewest that reach every coverage edge the runs reached: a greedy set cover, largest gain first,
over the edges of each input. libFuzzer's merge (-merge=1) records only the edges an input adds
to the inputs before it in size order, and keeps several times more files; so each input is
merged on its own here (about 0.1 s each). New inputs are named by their SHA-1, as libFuzzer
names them.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile


def edges_of(binary, path, work):
    """The coverage edges (PC table indices) one input reaches."""
    inputs = os.path.join(work, "in")
    out = os.path.join(work, "out")
    control = os.path.join(work, "control")
    for d in (inputs, out):
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d)
    if os.path.exists(control):
        os.remove(control)  # else libFuzzer resumes the previous merge from it
    shutil.copyfile(path, os.path.join(inputs, "unit"))
    subprocess.run([binary, "-merge=1", "-use_counters=0", "-merge_control_file=" + control, out,
                    inputs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    with open(control) as f:
        for line in f:
            if line.startswith("COV "):
                return set(line.split()[2:])
    return set()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    binary, seeds_dir, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
    seeds = [os.path.join(seeds_dir, n) for n in sorted(os.listdir(seeds_dir))]
    found = [os.path.join(d, n) for d in runs for n in sorted(os.listdir(d))]
    with tempfile.TemporaryDirectory() as work:
        edges = {p: edges_of(binary, p, work) for p in seeds + found}

    covered = set().union(*(edges[p] for p in seeds))
    everything = set().union(*edges.values())
    chosen = []
    while covered != everything:
        best = max((p for p in found if p not in chosen),
                   key=lambda p: (len(edges[p] - covered), -os.path.getsize(p)))
        chosen.append(best)
        covered |= edges[best]

    for p in chosen:
        with open(p, "rb") as f:
            data = f.read()
        with open(os.path.join(seeds_dir, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds and {len(chosen)} new inputs cover all {len(everything)} edges")


if __name__ == "__main__":
    main()
