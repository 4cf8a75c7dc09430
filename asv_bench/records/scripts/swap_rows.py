"""Products with ``y`` stored (B, N, K) and ``x`` stored (B, M, K), by rows of ``x``: an earlier
tree's choice (``batchdot_old`` on PYTHONPATH: the dots, or the tiles on a transposed copy of
``y``) against the transpose ``y^T x^T`` (``batchdot_old.batch_dot(y, x, (2, 2), out=res^T)``:
tiles over ``y`` in place, ``x^T`` copied, the result written through its transposed view) and
the working tree's automatic choice; one process, idle, medians of interleaved repeats (order
reversed every other round).  ``old/swapped`` above 1: the transpose is faster.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/swap_rows.py"""
import numpy as np

import batchdot
import batchdot_old
from interleave import medians

rng = np.random.default_rng(0)


for M in [2, 3, 4, 6, 8, 16, 24, 32, 48, 64, 100, 128]:
    for B, K, N in [(16, 32, 1000), (4, 64, 4000), (64, 128, 256)]:
        cells = []
        for dt in ("float32", "float64"):
            x = rng.standard_normal((B, M, K)).astype(dt)
            y = rng.standard_normal((B, N, K)).astype(dt)
            res = np.empty((B, M, N), dt)
            old, swapped, new = medians([lambda: batchdot_old.batch_dot(x, y, (2, 2), out=res),
                                         lambda: batchdot_old.batch_dot(y, x, (2, 2), out=res.transpose(0, 2, 1)),
                                         lambda: batchdot.batch_dot(x, y, (2, 2), out=res)])
            cells.append(f"{dt} old {old:7.3f} swapped {swapped:7.3f} new {new:7.3f} ms  old/swapped {old / swapped:4.2f}"
                         f" old/new {old / new:4.2f}")
        print(f"M={M:4d} B={B:3d} K={K:4d} N={N:5d}   " + "   ".join(cells), flush=True)
