"""cpu.stage of C-ordered (R, 2, 3, W) arrays moved to (R, 3, 2, W) order (rows of 40-336 bytes),
the working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py):
best of 5 x 100 calls, three interleaved rounds.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=<old tree> python asv_bench/records/scripts/stage_row_bytes_ab.py"""
import timeit

import numpy as np

from batchdot.cpu import stage
from batchdot_old.cpu import stage as old

rng = np.random.default_rng(0)
for shape in [(366, 2, 3, 42), (366, 2, 3, 20), (366, 2, 3, 10), (3660, 2, 3, 42), (3660, 2, 3, 20)]:
    for dt in (np.float32, np.float64):
        a = rng.standard_normal(shape).astype(dt)
        fns = [("old", lambda: old(a, (0, 2, 1, 3))), ("new", lambda: stage(a, (0, 2, 1, 3)))]
        best = {}
        for rep in range(3):
            for k, f in (fns if rep % 2 == 0 else fns[::-1]):
                best[k] = min(best.get(k, 1e9), min(timeit.repeat(f, number=100, repeat=5)) / 100 * 1e6)
        print(f"{str(shape):17s} {np.dtype(dt).name:8s} rows of {shape[-1] * a.itemsize:3d} bytes: old {best['old']:7.1f} us"
              f"  new {best['new']:7.1f} us  old/new {best['old'] / best['new']:.2f}", flush=True)
