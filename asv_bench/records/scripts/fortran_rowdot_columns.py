"""Fortran-ordered rank-2 row dots, (200000, 64) · (200000, 64), axes 1, after rowdot's column kernel (ms).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/fortran_rowdot_columns.py

``auto`` is the automatic choice (rowdot reading down the columns), ``tile`` the family the
automatic choice took before (M = N = 1), on both threads and on one
(``batchdot.thread_limit(1)``), against NumPy's einsum and ``(x * y).sum``.  Medians of 7
interleaved rounds of 3 calls, after warm-up.
"""
import time

import numpy as np

import batchdot
from batchdot import batch_dot

rng = np.random.default_rng(0)
for d in ("float32", "float64"):
    x = np.asfortranarray(rng.standard_normal((200000, 64)).astype(d))
    y = np.asfortranarray(rng.standard_normal((200000, 64)).astype(d))
    fs = {"auto": lambda: batch_dot(x, y, 1), "tile": lambda: batch_dot(x, y, 1, kernel="tile"),
          "einsum": lambda: np.einsum("bk,bk->b", x, y), "(x*y).sum": lambda: (x * y).sum(-1)}

    def serial(f):
        def run():
            with batchdot.thread_limit(1):
                f()
        return run

    fs["auto, 1 thread"] = serial(fs["auto"])
    fs["tile, 1 thread"] = serial(fs["tile"])
    np.testing.assert_allclose(fs["auto"]()[:, 0], fs["einsum"](), rtol=1e-4, atol=1e-3)
    ts = {k: [] for k in fs}
    for f in fs.values():
        f(), f()
    for _ in range(7):
        for k, f in fs.items():
            t = time.perf_counter()
            for _ in range(3):
                f()
            ts[k].append((time.perf_counter() - t) / 3)
    print(d, {k: round(float(np.median(v)) * 1e3, 2) for k, v in ts.items()}, flush=True)
