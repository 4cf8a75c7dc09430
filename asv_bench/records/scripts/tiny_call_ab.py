"""Tiny calls: two builds of batchdot in one process, interleaved, against NumPy (us per call).

    cp -r <old checkout>/batchdot /tmp/oldpkg/batchdot_old
    PYTHONPATH=/tmp/oldpkg env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python asv_bench/records/scripts/tiny_call_ab.py

Each round times, per case, the old build, the new build and NumPy (best of 5 x 5000 calls
each, back to back); 10 rounds.  Prints per case the minimum over rounds of each and the
median over rounds of old/new and numpy/new (the host's clock drifts 2x within minutes,
so only ratios taken within one round are compared).
"""
import statistics
import timeit

import numpy as np

import batchdot
import batchdot_old

CASES = {
    "matmul f64 (4,2,3)(4,3,5)": ((4, 2, 3), (4, 3, 5), "float64", None),
    "matmul f32": ((4, 2, 3), (4, 3, 5), "float32", None),
    "matmul c128": ((4, 2, 3), (4, 3, 5), "complex128", None),
    "matmul i64": ((4, 2, 3), (4, 3, 5), "int64", None),
    "rowdot f64 (4,3)(4,3)": ((4, 3), (4, 3), "float64", 1),
    "rowdot f32": ((4, 3), (4, 3), "float32", 1),
}


def best(f):
    return min(timeit.repeat(f, number=5000, repeat=5)) / 5000 * 1e6


rows = {name: [] for name in CASES}
for _ in range(10):
    for name, (sx, sy, d, ax) in CASES.items():
        x, y = np.ones(sx, d), np.ones(sy, d)
        for mod in (batchdot_old, batchdot):
            mod.batch_dot(x, y, ax), mod.batch_dot(x, y, ax)
        old = best(lambda: batchdot_old.batch_dot(x, y, ax))
        new = best(lambda: batchdot.batch_dot(x, y, ax))
        if ax is None:
            ref = best(lambda: np.matmul(x, y))
        else:
            ref = best(lambda: np.einsum("ij,ij->i", x, y)[:, None])
        rows[name].append((old, new, ref))
for name, r in rows.items():
    old, new, ref = (min(t[i] for t in r) for i in range(3))
    sp = statistics.median(t[0] / t[1] for t in r)
    vs = statistics.median(t[2] / t[1] for t in r)
    print(f"{name:28s} old {old:5.2f}  new {new:5.2f}  numpy {ref:5.2f} us (min)   "
          f"old/new {sp:.2f}  numpy/new {vs:.2f} (median)")
