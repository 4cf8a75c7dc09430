"""CPU seconds of the first calls of a tile product, then of the same product with ``y`` stored
``(B, N, K)`` (a transposed view), in a fresh process:

    NUMBA_CACHE_DIR=$(mktemp -d) python asv_bench/records/scripts/transposed_layout_first_call.py DTYPE

Until 2026-12-08 the engine copied such a ``y`` in C order (nothing to compile); since, the
tiles' block kernel transposes its blocks itself, inside the spans already compiled.
"""
import sys
import time

import numpy as np

import batchdot

dt = np.dtype(sys.argv[1])
rng = np.random.default_rng(0)
x = rng.standard_normal((64, 20, 43)).astype(dt)
y = rng.standard_normal((64, 43, 23)).astype(dt)
t1 = time.process_time()
batchdot.batch_dot(x, y)
t2 = time.process_time()
yt = np.ascontiguousarray(y.transpose(0, 2, 1)).transpose(0, 2, 1)
batchdot.batch_dot(x, yt)
t3 = time.process_time()
batchdot.batch_dot(x, yt)
t4 = time.process_time()
print(dt, f"first call (y C-ordered) {t2 - t1:.2f} s; then y stored (B, N, K): first call {t3 - t2:.2f} s, "
      f"second {t4 - t3:.2f} s (the parallel entry)")
