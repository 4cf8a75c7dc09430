"""One thread of the dot kernel (vecmat, (B, 64) . (B, 32, 64)) against np.einsum, from memory
(B = 10000) and in cache (B = 100, repeated): batchdot.thread_limit(1), threadpool_limits(1).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/dot_streams.py"""
import time, numpy as np, batchdot
from threadpoolctl import threadpool_limits
rng = np.random.default_rng(0)
for B in (100, 10000):
  for dt in (np.float32, np.float64):
    x = rng.standard_normal((B, 64)).astype(dt); y = rng.standard_normal((B, 32, 64)).astype(dt)
    reps = 10000 // B
    f = {"bd1": lambda: [batchdot.batch_dot(x, y, (1, 2)) for _ in range(reps)],
         "einsum1": lambda: [np.einsum("bk,bnk->bn", x, y) for _ in range(reps)]}
    with batchdot.thread_limit(1), threadpool_limits(1):
        for g in f.values(): g(); g()
        ts = {k: [] for k in f}
        for r in range(9):
            for k, g in f.items():
                t0 = time.perf_counter(); g(); ts[k].append(time.perf_counter() - t0)
    gb = y.nbytes * reps / 1e9
    print(B, np.dtype(dt).name, " ".join(f"{k} {np.median(v)*1e3:.2f} ms ({gb/np.median(v):.1f} GB/s)" for k, v in ts.items()))
