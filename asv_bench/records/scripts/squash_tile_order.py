"""One thread: squash's tile products ((64, 48, 5) x (64, 5, 96)) by tile_span (column blocks outer, the engine's order) and by a variant with the row tiles outer (all column blocks of a row tile in turn), against np.matmul; microseconds, medians of 15.
Run: NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/squash_tile_order.py"""
import time, numpy as np
from span_loop import runner  # noqa: E402  (scripts/span_loop.py)
from batchdot.cpu.tiles import tile_span, ROWS, MR, _BLOCK, _NO_AHEAD, _fusing_limit
from batchdot.cpu.vector import VECTOR_BYTES, absmax, columns
from batchdot.cpu.jit import jit

@jit(fastmath=frozenset())
def rows_outer(x, y, out, zero, lo, hi):
    M, K, N = x.shape[1], x.shape[2], y.shape[2]
    xs0, xs1, xs2 = x.strides
    ys0, ys1, ys2 = y.strides
    os0, os1, os2 = out.strides
    W = VECTOR_BYTES // max(out.itemsize, 4)
    shape, NR = columns(N, W)
    nib = (M + ROWS - 1) // ROWS
    limit = _fusing_limit(out, shape, M, N)
    yb, ymax = -1, 0.0
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        rows = min(M, ilo + ROWS) - ilo
        fused = False
        if limit > 0:
            if b != yb:
                yb, ymax = b, absmax(y, b * ys0, ys1, ys2, K, N)
            fused = absmax(x, b * xs0 + ilo * xs1, xs1, xs2, rows, K) * ymax * K <= limit
        for i in range(0, rows, MR):
            for j0 in range(0, N, NR):
                _BLOCK(x, b * xs0 + (ilo + i) * xs1, xs1, xs2, y, b * ys0 + j0 * ys2, ys1,
                       out, b * os0 + (ilo + i) * os1 + j0 * os2, os1, os2, K, min(NR, N - j0), False,
                       min(MR, rows - i), shape, fused, _NO_AHEAD)

runs = {"cols_outer": runner(tile_span), "rows_outer": runner(rows_outer)}
rng = np.random.default_rng(0)
for dt in ["float32", "float64"]:
    x3 = rng.standard_normal((64, 48, 5)).astype(dt); y3 = rng.standard_normal((64, 5, 96)).astype(dt); o3 = np.empty((64, 48, 96), dt)
    ref = np.matmul(x3, y3)
    for k, r in runs.items():
        r(x3, y3, o3, o3.dtype.type(0), 1); assert np.allclose(o3, ref, rtol=1e-4, atol=1e-4)
    ts = {k: [] for k in runs}
    for _ in range(15):
        for k, r in runs.items():
            t = time.perf_counter(); r(x3, y3, o3, o3.dtype.type(0), 100); ts[k].append((time.perf_counter() - t) / 100)
        t = time.perf_counter()
        for _ in range(100): np.matmul(x3, y3, out=o3)
        ts.setdefault("np", []).append((time.perf_counter() - t) / 100)
    print(dt, {k: round(np.median(v) * 1e6, 1) for k, v in ts.items()}, "us")
