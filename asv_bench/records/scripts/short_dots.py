"""Products of few rows (M = 2, 3) with ``y`` stored (B, N, K) and a short contracted axis: the
dots (one vector dot per element, each ending in a lane sum) against the tiles (on a transposed
copy of ``y``), both forced with ``kernel=``, and ``np.matmul``; one process, idle, medians of
interleaved repeats (order reversed every other round).  ``dot/tile`` above 1: the tiles are faster.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/short_dots.py"""
import numpy as np

import batchdot
from interleave import medians

rng = np.random.default_rng(0)


for M in (2, 3):
    for B, N in ((20, 500), (500, 50)):
        for K in (1, 2, 4, 8, 16, 32):
            cells = []
            for dt in ("float32", "float64"):
                x, y = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, N, K)).astype(dt)
                dot, tile, mm = medians(reps=41, unit=1e-6, fns=[lambda: batchdot.batch_dot(x, y, (2, 2), kernel="dot"),
                                         lambda: batchdot.batch_dot(x, y, (2, 2), kernel="tile"),
                                         lambda: np.matmul(x, y.transpose(0, 2, 1))])
                cells.append(f"{dt} K bytes {K * x.itemsize:4d}  dot {dot:7.1f} tile {tile:7.1f} matmul {mm:7.1f} us"
                             f"  dot/tile {dot / tile:4.2f}")
            print(f"M={M} B={B:4d} N={N:4d} K={K:3d}   " + "   ".join(cells), flush=True)
