"""A tile span in an @njit loop, and the streamed/cached comparison of several of them against
np.matmul, for the one-thread measurement scripts beside this one."""
import time

import numpy as np
from numba import njit

from batchdot.cpu.tiles import ROWS


def runner(span):
    """``run(x, y, out, zero, reps)``: ``span`` over every work item of the tiles, ``reps`` times."""
    @njit
    def run(x, y, out, zero, reps):
        for _ in range(reps):
            span(x, y, out, zero, 0, out.shape[0] * ((x.shape[1] + ROWS - 1) // ROWS))
    return run


def np_run(x, y, out, zero, reps):
    for _ in range(reps):
        np.matmul(x, y, out=out)


def compare(runs, cases, seed=0):
    """For each case ``(dtype, B, M, K, N, x_by_columns)``: GFLOP/s of each runner of ``runs``
    (``"new"``, ``"old"``, ...; ``"np"`` is added) on distinct batch elements ("stream") and on
    one repeated element ("cached"), medians of 9 interleaved repeats, with new/old and new's
    largest error."""
    runs = dict(runs, np=np_run)
    rng = np.random.default_rng(seed)
    for dt, B, M, K, N, tx in cases:
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
