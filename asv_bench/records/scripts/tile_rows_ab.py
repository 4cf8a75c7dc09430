"""One thread: the tiles of the working tree against an earlier tree (``batchdot_old`` on
PYTHONPATH, as for ``tree_ab.py``) and ``np.matmul``, on stacks of square products in cache
(B = 200) and streamed (B = 4000), medians of interleaved calls (order reversed each round).
Arguments: sizes (default 32), dtypes (default float32 float64), and products ``MxKxN`` or
``MxKxNt`` (x stored (B, K, M), read as its transpose: midaxis's), streamed over MB (environment, default 12) MB of x and y.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/tile_rows_ab.py [32 16 ...] [float32 ...]
"""
import os, sys, time
import numpy as np
import batchdot, batchdot_old

args = sys.argv[1:]
shapes = [a for a in args if "x" in a]
sizes = [int(a) for a in args if a.isdigit()] or ([] if shapes else [32])
dtypes = [a for a in args if not a.isdigit() and "x" not in a] or ["float32", "float64"]
rng = np.random.default_rng(0)


def med(fns, reps=31):
    for f in fns.values():
        f(); f()
    ts = {k: [] for k in fns}
    for rep in range(reps):
        for k, f in (list(fns.items()) if rep % 2 == 0 else list(fns.items())[::-1]):
            t0 = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t0)
    return {k: float(np.median(v)) for k, v in ts.items()}


for dt in dtypes:
    for n in sizes:
        for B in (200 * (32 // n) ** 3 // 1, 4000 * (32 // n) ** 3):
            B = max(B, 1)
            x = rng.standard_normal((B, n, n)).astype(dt); y = rng.standard_normal((B, n, n)).astype(dt)
            t = med({"new": lambda: batchdot.batch_dot(x, y), "old": lambda: batchdot_old.batch_dot(x, y),
                     "matmul": lambda: np.matmul(x, y)})
            gf = {k: 2 * B * n ** 3 / v / 1e9 for k, v in t.items()}
            print(f"{dt:8s} B={B:6d} n={n:3d}  new {gf['new']:6.1f}  old {gf['old']:6.1f}  matmul {gf['matmul']:6.1f} GFLOP/s"
                  f"  new/old {t['old'] / t['new']:.2f}  new/matmul {t['matmul'] / t['new']:.2f}", flush=True)

for dt in dtypes:
    for spec in shapes:
        M, K, N = (int(v) for v in spec.rstrip("t").split("x"))
        B = max(1, (int(os.environ.get("MB", "12")) << 20) // ((M * K + K * N) * np.dtype(dt).itemsize))
        x = rng.standard_normal((B, K, M) if spec.endswith("t") else (B, M, K)).astype(dt)
        y = rng.standard_normal((B, K, N)).astype(dt)
        axes = (1, 1) if spec.endswith("t") else (2, 1)
        ref = (lambda: np.matmul(x.transpose(0, 2, 1), y)) if spec.endswith("t") else (lambda: np.matmul(x, y))
        t = med({"new": lambda: batchdot.batch_dot(x, y, axes), "old": lambda: batchdot_old.batch_dot(x, y, axes),
                 "matmul": ref})
        gf = {k: 2 * B * M * K * N / v / 1e9 for k, v in t.items()}
        print(f"{dt:8s} B={B:6d} {spec:12s}  new {gf['new']:6.1f}  old {gf['old']:6.1f}  matmul {gf['matmul']:6.1f} GFLOP/s"
              f"  new/old {t['old'] / t['new']:.2f}  new/matmul {t['matmul'] / t['new']:.2f}", flush=True)
