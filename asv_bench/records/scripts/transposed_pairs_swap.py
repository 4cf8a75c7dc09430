"""One thread: products with both operands stored transposed (``x`` as ``(B, K, M)``, ``y`` as
``(B, N, K)``) computed as their transpose ``y^T x^T`` (``choose.transposed_pair`` forced true)
against as they are (forced false: the tiles over ``x`` in place and ``y`` transposed a block at
a time, or the dots), and ``np.matmul``; medians of 15 calls, each form twice.

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python asv_bench/records/scripts/transposed_pairs_swap.py

Each line: (B, M, K) . (B, K, N), the dtype, microseconds.
"""
import time

import numba
import numpy as np

import batchdot
import batchdot.cpu.choose as ch

numba.set_num_threads(1)
rng = np.random.default_rng(0)
CASES = [((1324, 31, 38), 77, np.float32), ((1324, 31, 38), 77, np.float64), ((3589, 8, 55), 11, np.float64),
         ((3589, 8, 55), 11, np.float32), ((500, 16, 64), 40, np.float32), ((200, 30, 100), 64, np.float64),
         ((1000, 4, 32), 16, np.float32), ((300, 40, 64), 40, np.float32), ((300, 20, 200), 100, np.float64),
         ((2000, 12, 16), 24, np.float32)]


def stored_transposed(a):
    return np.ascontiguousarray(np.swapaxes(a, 1, 2)).swapaxes(1, 2)


for (B, M, K), N, dt in CASES:
    x = stored_transposed(rng.standard_normal((B, M, K)).astype(dt))
    y = stored_transposed(rng.standard_normal((B, K, N)).astype(dt))
    res = {}
    for name, swap in (("swap", True), ("as is", False), ("swap again", True), ("as is again", False)):
        ch.transposed_pair = lambda *a, swap=swap: swap
        batchdot._api._RUNNERS.clear()
        f = lambda: batchdot.batch_dot(x, y)  # noqa: E731
        f(), f()
        ts = []
        for _ in range(15):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        res[name] = np.median(ts) * 1e6
    ts = []
    for _ in range(15):
        t0 = time.perf_counter()
        np.matmul(x, y)
        ts.append(time.perf_counter() - t0)
    print(f"({B}, {M}, {K}) . ({B}, {K}, {N}) {np.dtype(dt).name:8s}", "  ".join(f"{k} {v:8.0f}" for k, v in res.items()),
          f"  matmul {np.median(ts) * 1e6:8.0f} us", flush=True)
