"""One thread: tile_span against np.matmul on (B, n, n) products of equal flops (GFLOP/s, medians of 5).
Run: NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/large_tiles_iso.py"""
import time, numpy as np
from numba import njit
from batchdot.cpu.tiles import tile_span, ROWS
@njit
def run(x, y, out, zero, reps):
    for _ in range(reps):
        tile_span(x, y, out, zero, 0, out.shape[0] * ((x.shape[1] + ROWS - 1) // ROWS))
rng = np.random.default_rng(0)
for dt in ["float32", "float64"]:
    for B, n in [(16, 512), (64, 256), (256, 128)]:
        X = rng.standard_normal((B, n, n)).astype(dt); Y = rng.standard_normal((B, n, n)).astype(dt); O = np.empty_like(X)
        fl = 2 * n**3 * B
        run(X, Y, O, X.dtype.type(0), 1)
        ts = {"tile": [], "np": []}
        for _ in range(5):
            t = time.perf_counter(); run(X, Y, O, X.dtype.type(0), 1); ts["tile"].append(time.perf_counter() - t)
            t = time.perf_counter(); np.matmul(X, Y, out=O); ts["np"].append(time.perf_counter() - t)
        print(dt, (B, n), {k: round(fl / np.median(v) / 1e9, 1) for k, v in ts.items()}, "GFLOP/s one thread", flush=True)
