"""One thread, tile_span of the working tree and of batchdot_old from an @njit loop:
(B, n, n) products streamed (distinct batch elements) or cached (stride-0 batch).
Run (the old tree as in tree_ab.py): NUMBA_NUM_THREADS=1 PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/post_scan_iso.py"""
import time, sys, numpy as np
from numba import njit
from batchdot.cpu.tiles import tile_span as new_span, complex_span as new_c
from batchdot_old.cpu.tiles import tile_span as old_span, complex_span as old_c

def runner(span):
    @njit
    def run(x, y, out, zero, reps):
        for _ in range(reps):
            span(x, y, out, zero, 0, out.shape[0] * ((x.shape[1] + 63) // 64))
    return run

runs = {"new": (runner(new_span), runner(new_c)), "old": (runner(old_span), runner(old_c))}
rng = np.random.default_rng(0)
for dt, n, B in [("float32", 32, 4000), ("float64", 32, 4000), ("float64", 16, 8192), ("float32", 64, 1000), ("complex64", 32, 4000), ("complex128", 32, 2000)]:
    dt = np.dtype(dt)
    X = rng.standard_normal((B, n, n)).astype(dt); Y = rng.standard_normal((B, n, n)).astype(dt); O = np.empty_like(X)
    if dt.kind == "c":
        X = X + 1j * X[::-1]; Y = Y - 1j * Y[::-1]
    x1 = np.broadcast_to(X[:1], X.shape); y1 = np.broadcast_to(Y[:1], X.shape)
    o1 = np.lib.stride_tricks.as_strided(O[:1], X.shape, (0,) + O.strides[1:])
    flops = (8 if dt.kind == "c" else 2) * n ** 3 * B * 5
    for name, args in [("stream", (X, Y, O)), ("cached", (x1, y1, o1))]:
        ts = {k: [] for k in runs}
        for k, r in runs.items():
            r[dt.kind == "c"](*args, dt.type(0), 1)
        for _ in range(9):
            for k, r in runs.items():
                t = time.perf_counter(); r[dt.kind == "c"](*args, dt.type(0), 5); ts[k].append(time.perf_counter() - t)
        m = {k: np.median(v) for k, v in ts.items()}
        print(f"{dt.name:10s} ({B},{n},{n}) {name:6s} new {flops/m['new']/1e9:6.1f}  old {flops/m['old']/1e9:6.1f} GFLOP/s  new/old {m['old']/m['new']:.2f}", flush=True)
