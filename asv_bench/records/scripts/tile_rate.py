"""Single-thread rate of the tile span against the single-thread FMA peak, in and out of cache.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/tile_rate.py

For each dtype and (B, M, K, N): GFLOP/s of ``tiles.tile_span`` over all work items on the
calling thread with a preallocated ``out`` (no page faults), next to ``np.matmul`` on one
BLAS thread (threadpoolctl) and the one-thread FMA peak of the bench, all measured in this run.
"in cache" shapes keep x, y and out under 1 MiB (L2); small32 is the bench workload.
"""
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from batchdot.bench.cpu import _fma_kernel, FMA_CHAINS
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
from batchdot.cpu.vector import VECTOR_BYTES

SHAPES = [("incache32", 32, 32, 32, 32), ("incache8", 256, 8, 8, 8), ("incache64", 8, 64, 64, 64),
          ("small32", 4000, 32, 32, 32), ("small8", 100_000, 8, 8, 8)]
if len(sys.argv) > 1:
    SHAPES = [s for s in SHAPES if s[0] in sys.argv[1:]]


def best(fn, n=7, inner=1):
    fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t) / inner)
    return min(ts)


def peak1(dt):
    n = FMA_CHAINS * max(1, VECTOR_BYTES // dt.itemsize)
    out = np.linspace(0.5, 1.0, n).astype(dt).reshape(1, n)
    args = (out, dt.type(0.999), dt.type(1e-3), 2_000_000)
    from numba.core import config
    old, config.SLP_VECTORIZE = config.SLP_VECTORIZE, 1
    try:
        run = compile_for(_fma_kernel(n, parallel=False), args)
    finally:
        config.SLP_VECTORIZE = old
    return 2 * out.size * args[3] / best(lambda: run(*args), 5) / 1e9


for dtn in ("float32", "float64"):
    dt = np.dtype(dtn)
    print(f"{dtn}: one-thread FMA peak {peak1(dt):.1f} GFLOP/s")
    for name, B, M, K, N in SHAPES:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((B, M, K)).astype(dt)
        y = rng.standard_normal((B, K, N)).astype(dt)
        out = np.empty((B, M, N), dt)
        total = tiles.work_items(B, M)
        span = compile_for(tiles.tile_span, (x, y, out, dt.type(0), 0, total), general=True)
        inner = max(1, int(2e6 // (B * M * N * K)))
        t = best(lambda: span(x, y, out, dt.type(0), 0, total), inner=inner)
        with threadpool_limits(1):
            tm = best(lambda: np.matmul(x, y, out=out), inner=inner)
        fl = 2.0 * B * M * N * K
        print(f"  {name:10s} B={B:6d} M=K=N={M:3d}: tile {fl / t / 1e9:6.1f} GFLOP/s ({t * 1e3:8.3f} ms)"
              f"   matmul 1 thread {fl / tm / 1e9:6.1f} GFLOP/s ({tm * 1e3:8.3f} ms)")
