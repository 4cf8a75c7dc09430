"""The dot kernel's lane sums, before (W - 1 scalar adds of the extracted lanes) and after
(halves added in turn), in one process: the previous tree as ``batchdot_old`` (``git archive
<commit> batchdot``, renamed, on PYTHONPATH).  One thread each (both packages' thread_limit,
threadpool_limits(1)); vecmat (B, 64) . (B, 32, 64) from memory (B = 10000) and in cache
(B = 100, repeated), einsum alongside; the tiny row dot (4, 3) . (4, 3).  Interleaved medians.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/dot_lane_sum_ab.py"""
import numpy as np
import batchdot
import batchdot_old
from threadpoolctl import threadpool_limits
from tree_ab import med  # interleaved medians after two warm-up calls each

rng = np.random.default_rng(0)

with batchdot.thread_limit(1), batchdot_old.thread_limit(1), threadpool_limits(1):
    for B in (100, 10000):
        for dt in (np.float32, np.float64):
            x = rng.standard_normal((B, 64)).astype(dt); y = rng.standard_normal((B, 32, 64)).astype(dt)
            reps = 10000 // B
            assert np.array_equal(batchdot.batch_dot(x, y, (1, 2)).shape, batchdot_old.batch_dot(x, y, (1, 2)).shape)
            t = med({"new": lambda: [batchdot.batch_dot(x, y, (1, 2)) for _ in range(reps)],
                     "old": lambda: [batchdot_old.batch_dot(x, y, (1, 2)) for _ in range(reps)],
                     "einsum": lambda: [np.einsum("bk,bnk->bn", x, y) for _ in range(reps)]})
            gb = y.nbytes * reps / 1e9
            print(f"vecmat B={B} {np.dtype(dt).name}: " + ", ".join(f"{k} {v * 1e3:.2f} ms ({gb / v:.1f} GB/s)" for k, v in t.items()))
    for dt in (np.float32, np.float64):
        x = rng.standard_normal((4, 3)).astype(dt); y = rng.standard_normal((4, 3)).astype(dt)
        t = med({"new": lambda: [batchdot.batch_dot(x, y, 1) for _ in range(1000)],
                 "old": lambda: [batchdot_old.batch_dot(x, y, 1) for _ in range(1000)],
                 "sum": lambda: [(x * y).sum(1, keepdims=True) for _ in range(1000)]})
        print(f"tiny {np.dtype(dt).name}: " + ", ".join(f"{k} {v * 1e3:.3f} us" for k, v in t.items()))
