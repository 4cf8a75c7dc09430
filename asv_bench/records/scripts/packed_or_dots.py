"""One thread: products with ``y`` stored ``(B, N, K)`` (q k^T) on the tiles over ``y`` transposed a
block at a time (``tiles.packs``, forced ``kernel='tile'``) against the dots (``kernel='dot'``)
and ``np.matmul`` (one OpenBLAS thread), interleaved rounds, medians.

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python asv_bench/records/scripts/packed_or_dots.py DTYPE [MS] [NS] [KS]

MS, NS, KS: comma-separated rows, columns and K (defaults below); the batch fills about 4 MB of
operands.  Prints the time of each and which of the two batchdot families was faster.
"""
import sys

import numpy as np
from spellings import alternated_us

import batchdot

dt = np.dtype(sys.argv[1])
arg = lambda i, d: [int(v) for v in sys.argv[i].split(",")] if len(sys.argv) > i else d  # noqa: E731
Ms, Ns, Ks = arg(2, [4, 8, 16, 24, 48]), arg(3, [6, 23, 64]), arg(4, [32, 128, 512])
rng = np.random.default_rng(0)
for K in Ks:
    for N in Ns:
        for M in Ms:
            B = max(1, (4 << 20) // ((M + N) * K * dt.itemsize))
            x, yt = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, N, K)).astype(dt)
            fs = {"tile": lambda: batchdot.batch_dot(x, yt, (2, 2), kernel="tile"),
                  "dot": lambda: batchdot.batch_dot(x, yt, (2, 2), kernel="dot"),
                  "auto": lambda: batchdot.batch_dot(x, yt, (2, 2)),
                  "matmul": lambda: np.matmul(x, yt.transpose(0, 2, 1))}
            m = alternated_us(fs, 15)
            print(f"{dt.name} B {B:6d} M {M:3d} N {N:3d} K {K:4d}  tile {m['tile']:8.1f} us  dot {m['dot']:8.1f}  "
                  f"auto {m['auto']:8.1f}  matmul {m['matmul']:8.1f}  dot/tile {m['dot'] / m['tile']:5.2f}  "
                  f"matmul/auto {m['matmul'] / m['auto']:5.2f}", flush=True)
