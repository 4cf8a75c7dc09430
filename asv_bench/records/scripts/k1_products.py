"""Products of one term (K = 1): batch_dot against ``np.multiply`` of the broadcast views and
``np.einsum``, (B, M, 1) . (B, 1, N) with B M N = 2^19, medians of interleaved repeats, idle.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/k1_products.py"""
import numpy as np

import batchdot
from interleave import medians, reps_for

rng = np.random.default_rng(0)
for dt in ("float32", "float64"):
    for M, N in ((1, 4), (1, 12), (3, 4), (1, 64), (8, 8), (4, 32), (16, 16), (1, 300), (32, 32), (64, 64), (12, 1), (300, 1)):
        B = max(1, (1 << 19) // (M * N))
        x, y = rng.standard_normal((B, M, 1)).astype(dt), rng.standard_normal((B, 1, N)).astype(dt)
        fns = [lambda: batchdot.batch_dot(x, y), lambda: np.multiply(x, y), lambda: np.einsum("bmk,bkn->bmn", x, y)]
        t = medians(fns, reps_for(fns[0], 0.3, 15, 101), unit=1e-6)
        print(f"{dt:8s} B {B:6d} M {M:3d} N {N:3d}  batch_dot {t[0]:8.1f} us  multiply {t[1]:8.1f}  einsum {t[2]:8.1f}"
              f"  multiply/batch_dot {t[1] / t[0]:.2f}", flush=True)
