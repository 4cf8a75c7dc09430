"""q . k^T of (500, 16, 48) . (500, 20, 48), axes (2, 2), on one thread: batchdot, the transposed
copy of k that its tiles read (NumPy's copyto of k.transpose(0, 2, 1)), batchdot on that copy
(the tiles alone), and np.matmul; best of 9 x 50 calls.
Run: NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/qkt_copy_share.py"""
import timeit

import numpy as np

import batchdot

rng = np.random.default_rng(0)
for dt in (np.float32, np.float64):
    q, k = rng.standard_normal((500, 16, 48)).astype(dt), rng.standard_normal((500, 20, 48)).astype(dt)
    buf = np.empty((500, 48, 20), dt)
    kt = np.ascontiguousarray(k.transpose(0, 2, 1))
    fns = [("batch_dot q . k^T", lambda: batchdot.batch_dot(q, k, (2, 2))),
           ("copy of k transposed", lambda: np.copyto(buf, k.transpose(0, 2, 1))),
           ("batch_dot on the copy", lambda: batchdot.batch_dot(q, kt, (2, 1))),
           ("np.matmul", lambda: np.matmul(q, k.transpose(0, 2, 1)))]
    for _, f in fns:
        f()
    for name, f in fns:
        print(f"{np.dtype(dt).name:8s} {name:22s} {min(timeit.repeat(f, number=50, repeat=9)) / 50 * 1e6:8.1f} us")
