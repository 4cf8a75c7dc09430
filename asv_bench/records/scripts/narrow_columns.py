"""Products over ``x`` stored (B, K, M) (``batch_dot(x, y, axes=(1, 1))``) with few columns N:
an earlier tree's narrow tiles (``batchdot_old`` on PYTHONPATH) against the transpose ``y^T x^T``
(``batchdot_old.batch_dot(y, x, (1, 1), out=res^T)``: tiles of N rows over ``x``'s unit-stride
rows) and the working tree's automatic choice, ``y`` C-ordered (C) or stored (B, N, K) (T);
one process, idle, medians of interleaved repeats (order reversed every other round).
``old/swapped`` above 1: the transpose is faster.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/narrow_columns.py"""
import numpy as np

import batchdot
import batchdot_old
from interleave import medians

rng = np.random.default_rng(0)


for B, M, K in [(3, 992, 101), (272, 95, 57), (100, 64, 32), (20, 500, 16)]:
    for N in (2, 3, 4, 6, 8, 12, 16):
        cells = []
        for dt in ("float32", "float64"):
            x = np.ascontiguousarray(rng.standard_normal((B, K, M)).astype(dt))
            for lay in "CT":
                y = (rng.standard_normal((B, K, N)).astype(dt) if lay == "C"
                     else np.ascontiguousarray(rng.standard_normal((B, N, K)).astype(dt)).transpose(0, 2, 1))
                res = np.empty((B, M, N), dt)
                old, swapped, new = medians(unit=1e-6, fns=[lambda: batchdot_old.batch_dot(x, y, (1, 1), out=res),
                                             lambda: batchdot_old.batch_dot(y, x, (1, 1), out=res.transpose(0, 2, 1)),
                                             lambda: batchdot.batch_dot(x, y, (1, 1), out=res)])
                cells.append(f"{dt[5:]}{lay} old/swapped {old / swapped:4.2f} old/new {old / new:4.2f}")
        print(f"B={B:3d} M={M:4d} K={K:3d} N={N:2d}   " + "   ".join(cells), flush=True)
