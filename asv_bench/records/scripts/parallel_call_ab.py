"""Warm call times of two trees in one process, interleaved: calls that run in parallel.

    PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/parallel_call_ab.py

``batchdot_old``: another tree's package under that name (see second_call_ab.py).  Shapes from
just above the serial cut-off (2**15 multiply-adds) to bench workloads; median of 41
interleaved repeats after warm-up, float32 and float64.
"""
import time

import numpy as np

import batchdot
import batchdot_old

CASES = [("(64,8,8)x(64,8,8)", (64, 8, 8), (64, 8, 8), None), ("(300,8,8)x(300,8,8)", (300, 8, 8), (300, 8, 8), None),
         ("(40,32,32)x(40,32,32)", (40, 32, 32), (40, 32, 32), None),
         ("rowdot (2000,64)", (2000, 64), (2000, 64), 1), ("small8 (50000,8,8)", (50000, 8, 8), (50000, 8, 8), None),
         ("small32 (4000,32,32)", (4000, 32, 32), (4000, 32, 32), None),
         ("vecmat (10000,64)x(10000,32,64)", (10000, 64), (10000, 32, 64), (1, 2))]
for dt in (np.float32, np.float64):
    for name, xs, ys, axes in CASES:
        rng = np.random.default_rng(0)
        x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
        fns = {"old": lambda: batchdot_old.batch_dot(x, y, axes), "new": lambda: batchdot.batch_dot(x, y, axes)}
        for f in fns.values():
            for _ in range(3):
                f()
        np.testing.assert_allclose(fns["old"](), fns["new"](), rtol=1e-4, atol=1e-4)
        n = max(1, int(2e-3 // max(1e-7, min(_t() for _t in [lambda: (lambda t: (fns["new"](), time.perf_counter() - t)[1])(time.perf_counter())]))))
        ts = {k: [] for k in fns}
        for _ in range(41):
            for k, f in fns.items():
                t = time.perf_counter()
                for _ in range(n):
                    f()
                ts[k].append((time.perf_counter() - t) / n)
        old, new = np.median(ts["old"]), np.median(ts["new"])
        print(f"{np.dtype(dt).name:8s} {name:34s} old {old * 1e6:9.1f} us  new {new * 1e6:9.1f} us  old/new {old / new:.2f}",
              flush=True)
