"""Few-row products (vector.row_columns) in two trees, one process, idle: medians of interleaved
repeats, one and two threads.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/few_rows_span_ab.py
"""
import time

import numba
import numpy as np

import batchdot
import batchdot_old

rng = np.random.default_rng(0)
CASES = [((500, 3, 64), (500, 64, 200)), ((2000, 1, 64), (2000, 64, 64)), ((300, 5, 100), (300, 100, 120)),
         ((100, 2, 300), (100, 300, 512)), ((4000, 4, 16), (4000, 16, 40))]
for threads in (2, 1):
    numba.set_num_threads(threads)
    for dt in (np.float32, np.float64):
        for xs, ys in CASES:
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            fns = {"new": lambda: batchdot.batch_dot(x, y), "old": lambda: batchdot_old.batch_dot(x, y),
                   "numpy": lambda: np.matmul(x, y)}
            assert np.array_equal(fns["new"](), fns["old"]())
            ts = {k: [] for k in fns}
            for f in fns.values():
                f(), f()
            for _ in range(30):
                for k, f in fns.items():
                    t0 = time.perf_counter()
                    f()
                    ts[k].append(time.perf_counter() - t0)
            m = {k: np.median(v) * 1e6 for k, v in ts.items()}
            print(f"threads {threads} {dt.__name__:8s} {str(xs):16s} {str(ys):18s} new {m['new']:8.1f} us  old {m['old']:8.1f}"
                  f"  numpy {m['numpy']:8.1f}  new/old speed {m['old'] / m['new']:.2f}")
