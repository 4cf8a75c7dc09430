"""The cost of the BLAS path's overflow bound on large512: np.matmul of (16, 512, 512) pairs,
batchdot.cpu._blas (groups of 2 with the norm bound), the same groups without it, and the
norms alone.  Interleaved medians of 9.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/blas_bound_cost.py"""
import time

import numpy as np

from batchdot.cpu import _blas, _magnitude

rng = np.random.default_rng(0)


def med(fns, n=9):
    for f in fns.values():
        f()
    ts = {k: [] for k in fns}
    for _ in range(n):
        for k, f in fns.items():
            t = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t)
    return {k: f"{np.median(v) * 1e3:.2f} ms" for k, v in ts.items()}


for dt in (np.float32, np.float64):
    x, y = rng.standard_normal((16, 512, 512)).astype(dt), rng.standard_normal((16, 512, 512)).astype(dt)
    out = np.empty_like(x)

    def groups():
        for lo in range(0, 16, 2):
            np.matmul(x[lo:lo + 2], y[lo:lo + 2], out=out[lo:lo + 2])

    def norms():
        for lo in range(0, 16, 2):
            _magnitude(x[lo:lo + 2]), _magnitude(y[lo:lo + 2])

    print(np.dtype(dt).name, med({"np.matmul": lambda: np.matmul(x, y, out=out), "_blas": lambda: _blas(x, y, out),
                                  "groups of 2, no bound": groups, "norms alone": norms}))
