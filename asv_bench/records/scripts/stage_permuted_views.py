"""cpu.stage of operands that are axis permutations of C-ordered arrays (``swapaxes`` views, as
the unseen sweeps draw them) against NumPy's copy of the same view; best of 7 repeats of 5.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/stage_permuted_views.py"""
import timeit

import numpy as np

from batchdot.cpu import _in_memory_order, stage

rng = np.random.default_rng(0)


def swapped(a, i, j):
    return np.ascontiguousarray(np.swapaxes(a, i, j)).swapaxes(i, j)


CASES = [("y (15,111,185,5) swapped f64", swapped(rng.standard_normal((15, 111, 185, 5)), 1, 2), None),
         ("y (15,111,185,5) swapped f32", swapped(rng.standard_normal((15, 111, 185, 5)).astype(np.float32), 1, 2), None),
         ("y (366,2,3,42) swapped f32 (0,3,1,2)", swapped(rng.standard_normal((366, 2, 3, 42)).astype(np.float32), 1, 2),
          (0, 3, 1, 2)),
         ("y (366,2,3,42) swapped f32", swapped(rng.standard_normal((366, 2, 3, 42)).astype(np.float32), 1, 2), None),
         ("x (51,27,18,144) swapped f32 (0,1,3,2)", swapped(rng.standard_normal((51, 27, 18, 144)).astype(np.float32), 1, 2),
          (0, 1, 3, 2))]
for name, a, order in CASES:
    t = a if order is None else a.transpose(order)
    old, new = (lambda: np.ascontiguousarray(t)), (lambda: stage(a, order))
    assert np.array_equal(old(), new())
    r = {k: min(timeit.repeat(f, number=5, repeat=7)) / 5 * 1e3 for k, f in (("numpy copy", old), ("stage", new))}
    print(f"{name:40s} stored order {_in_memory_order(a, order)[1]}  "
          + "  ".join(f"{k} {v:.3f} ms" for k, v in r.items()), flush=True)
