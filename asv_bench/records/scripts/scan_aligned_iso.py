"""The magnitude scan in aligned vectors (its elements before the first vector boundary in one
masked load): one thread, tile_span of the working tree ("new") and of batchdot_old ("old") from an @njit
loop, and np.matmul: (B, M, K) x (B, K, N) products streamed (distinct batch elements) or cached
(stride-0 batch); "T": x read down its columns (midaxis's layout).  GFLOP/s, medians of 9
interleaved repeats.  Run (the old tree as in tree_ab.py):
NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/scan_aligned_iso.py"""
import time
import numpy as np
from span_loop import runner  # noqa: E402  (scripts/span_loop.py)
from batchdot.cpu.tiles import tile_span as new_span
from batchdot_old.cpu.tiles import tile_span as old_span




def np_run(x, y, out, zero, reps):
    for _ in range(reps):
        np.matmul(x, y, out=out)


runs = {"new": runner(new_span), "old": runner(old_span), "np": np_run}
rng = np.random.default_rng(0)
CASES = [("float32", 4000, 32, 32, 32, False), ("float64", 4000, 32, 32, 32, False), ("float64", 8192, 16, 64, 16, True), ("float32", 1000, 64, 64, 64, False), ("float64", 64, 48, 5, 96, False)]
for dt, B, M, K, N, tx in CASES:
    dt = np.dtype(dt)
    X = (rng.standard_normal((B, K, M)).astype(dt).transpose(0, 2, 1) if tx
         else rng.standard_normal((B, M, K)).astype(dt))
    Y = rng.standard_normal((B, K, N)).astype(dt)
    O = np.empty((B, M, N), dt)
    x1, y1 = np.broadcast_to(X[:1], X.shape), np.broadcast_to(Y[:1], Y.shape)
    o1 = np.lib.stride_tricks.as_strided(O[:1], O.shape, (0,) + O.strides[1:])
    flops = 2 * M * N * K * B * 5
    for name, args in [("stream", (X, Y, O)), ("cached", (x1, y1, o1))]:
        ts = {k: [] for k in runs}
        for k, r in runs.items():
            r(*args, dt.type(0), 1)
        for _ in range(9):
            for k, r in runs.items():
                t = time.perf_counter()
                r(*args, dt.type(0), 5)
                ts[k].append(time.perf_counter() - t)
        m = {k: np.median(v) for k, v in ts.items()}
        runs["new"](X[:50], Y[:50], O[:50], dt.type(0), 1)
        err = np.abs(O[:50] - np.matmul(X[:50].astype(np.float64), Y[:50].astype(np.float64))).max()
        print(f"{dt.name:8s} ({B},{M},{K},{N}){'T' if tx else ' '} {name:6s} new {flops / m['new'] / 1e9:6.1f}  "
              f"old {flops / m['old'] / 1e9:6.1f}  np {flops / m['np'] / 1e9:6.1f} GFLOP/s  "
              f"new/old {m['old'] / m['new']:.2f}  max error {err:.1e}", flush=True)
