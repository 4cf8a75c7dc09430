"""q . k^T products (``y`` stored (B, N, K), ``axes=(2, 2)``) with few columns (N 8-64) and
long K, where ``choose.BLAS_TRANSPOSED_SIDE`` keeps them off BLAS: ``kernel='tile'`` (on a
transposed copy of ``y``), ``kernel='blas'`` (``np.matmul`` under the overflow bound),
``np.matmul`` itself and ``kernel='dot'``, medians of 21 interleaved rounds, idle.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/qkt_narrow.py"""
import numpy as np

import batchdot
from interleave import medians

rng = np.random.default_rng(0)
for dt in ("float32", "float64"):
    for B, M, N, K in [(9, 128, 16, 1024), (9, 128, 8, 1024), (9, 128, 32, 512), (4, 64, 24, 1024), (16, 16, 64, 1100)]:
        x = rng.standard_normal((B, M, K)).astype(dt)
        y = rng.standard_normal((B, N, K)).astype(dt)
        fns = [lambda k=k: batchdot.batch_dot(x, y, (2, 2), kernel=k) for k in ("tile", "blas")]
        fns += [lambda: np.matmul(x, y.transpose(0, 2, 1)), lambda: batchdot.batch_dot(x, y, (2, 2), kernel="dot")]
        t = medians(fns, 21)
        print(f"{dt:8s} {(B, M, N, K)!s:22s} tile {t[0]:.3f} blas {t[1]:.3f} matmul {t[2]:.3f} dot {t[3]:.3f} ms"
              f"  tile/blas {t[0] / t[1]:.2f}", flush=True)
