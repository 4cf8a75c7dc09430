"""Tiny calls on the tiny loops (``choose.tiny``): two builds of batchdot in one process,
interleaved, against NumPy's best spelling (us per call).

    rm -rf /tmp/oldpkg && mkdir /tmp/oldpkg && git archive <old commit> batchdot | tar -x -C /tmp/oldpkg
    mv /tmp/oldpkg/batchdot /tmp/oldpkg/batchdot_old
    PYTHONPATH=/tmp/oldpkg env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python asv_bench/records/scripts/tiny_kernels_ab.py

Each round times, per case, the old build, the new build and each NumPy spelling (best of 5 x
5000 calls each, back to back); 7 rounds.  Prints per case the minimum over rounds of each
and the median over rounds of old/new and numpy/new (NumPy: the fastest of ``np.matmul``,
``np.einsum`` and ``(x * y).sum`` in that round).
"""
import statistics
import timeit

import numpy as np

import batchdot
import batchdot_old

CASES = {}
for d in ("float64", "float32", "float16", "complex128", "complex64", "int64", "int32", "bool"):
    CASES[f"matmul {d} (4,2,3)(4,3,5)"] = ((4, 2, 3), (4, 3, 5), d, None)
for d in ("float16", "float64"):
    CASES[f"rowdot {d} (4,3)(4,3)"] = ((4, 3), (4, 3), d, 1)
CASES["matmul float64 (2,4,8)(2,8,4)"] = ((2, 4, 8), (2, 8, 4), "float64", None)
CASES["matmul float16 (8,8,8)(8,8,4)"] = ((8, 8, 8), (8, 8, 4), "float16", None)


def best(f):
    return min(timeit.repeat(f, number=5000, repeat=5)) / 5000 * 1e6


def spellings(x, y, ax):
    if ax is None:
        return [lambda: np.matmul(x, y), lambda: np.einsum("bij,bjk->bik", x, y)]
    return [lambda: np.einsum("ij,ij->i", x, y)[:, None], lambda: (x * y).sum(1)[:, None]]


rng = np.random.default_rng(0)
rows = {name: [] for name in CASES}
for _ in range(7):
    for name, (sx, sy, d, ax) in CASES.items():
        x, y = (rng.standard_normal(sx) > 0).astype(d), (rng.standard_normal(sy) > 0).astype(d)
        if d != "bool":
            x, y = rng.standard_normal(sx).astype(d), rng.standard_normal(sy).astype(d)
        for mod in (batchdot_old, batchdot):
            mod.batch_dot(x, y, ax), mod.batch_dot(x, y, ax)
        old = best(lambda: batchdot_old.batch_dot(x, y, ax))
        new = best(lambda: batchdot.batch_dot(x, y, ax))
        ref = min(best(f) for f in spellings(x, y, ax))
        rows[name].append((old, new, ref))
for name, r in rows.items():
    old, new, ref = (min(t[i] for t in r) for i in range(3))
    sp = statistics.median(t[0] / t[1] for t in r)
    vs = statistics.median(t[2] / t[1] for t in r)
    print(f"{name:32s} old {old:5.2f}  new {new:5.2f}  numpy {ref:5.2f} us (min)   "
          f"old/new {sp:.2f}  numpy/new {vs:.2f} (median)")
