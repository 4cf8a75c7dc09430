"""32 x 32 products on one thread: the tiles against OpenBLAS, interleaved, in cache and from DRAM.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 [PYTHONPATH=/tmp/hackpkg] \
        python asv_bench/records/scripts/one_thread_small32.py DTYPE B [old]

Medians of 25 interleaved rounds of ``batch_dot(x, y, out=o)`` and ``np.matmul(x, y, out=o)``
with Numba on one thread, in GFLOP/s; B = 4000 streams 49 MB (float32), B = 250 stays in
cache.  With ``old``, also ``batchdot_old`` (another tree copied under that name, e.g. one
built without the tiles' overflow scan, to measure what the scan costs).
"""
import sys
import time

import numba
import numpy as np

import batchdot

dt, B = np.dtype(sys.argv[1]), int(sys.argv[2])
numba.set_num_threads(1)
x, y = np.random.rand(B, 32, 32).astype(dt), np.random.rand(B, 32, 32).astype(dt)
o = np.empty_like(x)
fns = {"batchdot": lambda: batchdot.batch_dot(x, y, out=o), "numpy": lambda: np.matmul(x, y, out=o)}
if len(sys.argv) > 3 and sys.argv[3] == "old":
    import batchdot_old

    fns["batchdot_old"] = lambda: batchdot_old.batch_dot(x, y, out=o)
for f in fns.values():
    f(), f()
ts = {k: [] for k in fns}
for _ in range(25):
    for k, f in fns.items():
        t0 = time.perf_counter()
        f()
        ts[k].append(time.perf_counter() - t0)
flops = 2 * B * 32 ** 3
print(dt, B, "  ".join(f"{k} {flops / np.median(v) / 1e9:.1f} GFLOP/s" for k, v in ts.items()))
