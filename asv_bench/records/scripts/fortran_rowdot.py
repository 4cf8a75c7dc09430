"""Fortran-ordered rank-2 row dots, (200000, 64) · (200000, 64), axes 1: families against NumPy (ms).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/fortran_rowdot.py

Best of 5 x 3 calls, two rounds.  ``auto`` is the automatic choice (the tiles, M = N = 1);
``rowdot (staged)`` copies both operands to C order first.
"""
import timeit

import numpy as np

from batchdot import batch_dot

rng = np.random.default_rng(0)
for d in ("float32", "float64"):
    x = np.asfortranarray(rng.standard_normal((200000, 64)).astype(d))
    y = np.asfortranarray(rng.standard_normal((200000, 64)).astype(d))
    fs = {"auto": lambda: batch_dot(x, y, 1), "rowdot (staged)": lambda: batch_dot(x, y, 1, kernel="rowdot"),
          "generic": lambda: batch_dot(x, y, 1, kernel="generic"),
          "einsum": lambda: np.einsum("bk,bk->b", x, y), "(x*y).sum": lambda: (x * y).sum(-1)}
    for f in fs.values():
        f(), f()
    for _ in range(2):
        print(d, {k: round(min(timeit.repeat(f, number=3, repeat=5)) / 3 * 1e3, 2) for k, f in fs.items()}, flush=True)
