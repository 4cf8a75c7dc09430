"""The rows a block has left after its full register tiles: the working tree against an earlier
one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py), tile products forced to the tiles on one
thread, M not a multiple of the tile's rows (wide tiles: N > W; narrow: N <= W, half-width N <=
W/2; "x by columns": x stored (B, K, M)), and some whose M is (level expected).  Medians of
interleaved repeats, the order reversed every other round.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/prev python asv_bench/records/scripts/leftover_rows_iso.py"""
import time

import numba
import numpy as np

import batchdot
import batchdot_old

numba.set_num_threads(1)
rng = np.random.default_rng(0)
CASES = [(15, 39, 111, 928, False), (15, 40, 112, 928, False), (200, 5, 64, 64, False), (200, 7, 64, 64, False),
         (200, 12, 64, 64, False), (200, 13, 64, 64, False), (200, 20, 100, 40, False), (100, 6, 256, 200, False),
         (100, 3, 64, 64, False), (100, 1, 64, 64, False), (2000, 13, 32, 16, False), (2000, 5, 64, 12, False),
         (2000, 12, 16, 16, False), (2000, 13, 32, 8, False), (2000, 7, 40, 5, False), (2000, 13, 32, 16, True),
         (8192, 16, 64, 16, True), (2000, 16, 16, 16, False), (4000, 32, 32, 32, False), (50000, 8, 8, 8, False)]
for B, M, K, N, by_columns in CASES:
    for dt in (np.dtype("float32"), np.dtype("float64")):
        x, y = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, K, N)).astype(dt)
        if by_columns:
            x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
        new, old = (lambda: batchdot.batch_dot(x, y, kernel="tile")), (lambda: batchdot_old.batch_dot(x, y, kernel="tile"))
        assert np.allclose(new(), old(), rtol=1e-4, atol=1e-3)
        fns = {"new": new, "old": old}
        ts = {k: [] for k in fns}
        for rep in range(21):
            for k, f in (list(fns.items()) if rep % 2 == 0 else list(fns.items())[::-1]):
                t0 = time.perf_counter()
                f()
                ts[k].append(time.perf_counter() - t0)
        m = {k: float(np.median(v)) * 1e3 for k, v in ts.items()}
        print(f"{str((B, M, K, N)):22s}{'x by columns' if by_columns else '':13s}{dt.name:8s} new {m['new']:8.3f} "
              f"old {m['old']:8.3f} ms  old/new {m['old'] / m['new']:.3f}", flush=True)
