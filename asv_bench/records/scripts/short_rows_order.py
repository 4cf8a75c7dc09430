"""Row dots (200000, K), idle, two threads: the working tree against batchdot_old with the
order of the two reversed every round (timeit of 5 calls, medians of 20 rounds).  Cases as
K,dtype arguments; default K = 9, 12, 16 (past short_rows) in float32, float64 and int32.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/short_rows_order.py [K,dtype ...]"""
import sys
import timeit

import numpy as np

import batchdot
import batchdot_old

rng = np.random.default_rng(0)
CASES = ([(int(k), np.dtype(d).type) for k, d in (c.split(",") for c in sys.argv[1:])]
         or [(K, dt) for K in (9, 12, 16) for dt in (np.float32, np.float64, np.int32)])
for K, dt in CASES:
    x, y = ((rng.standard_normal((200000, K)) * 9).astype(dt) for _ in range(2))
    f, g = (lambda: batchdot.batch_dot(x, y, 1)), (lambda: batchdot_old.batch_dot(x, y, 1))
    for _ in range(3):
        f(), g()
    a, b = [], []
    for r in range(20):
        for fn, ts in (((f, a), (g, b)) if r % 2 else ((g, b), (f, a))):
            ts.append(timeit.timeit(fn, number=5) / 5)
    print(f"  K {K:2d} {np.dtype(dt).name:8s} new {np.median(a) * 1e6:9.1f} us  old {np.median(b) * 1e6:9.1f}  "
          f"new/old speed {np.median(b) / np.median(a):5.2f}", flush=True)
