"""Bool products (logical or of ands), the working tree against ``batchdot_old`` (see tree_ab.py) and
np.matmul, dense (half the elements true) and sparse (one in six), 15 interleaved rounds, medians.

    [NUMBA_NUM_THREADS=1] env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/bool_ab.py
"""
import time

import numpy as np

import batchdot
import batchdot_old

rng = np.random.default_rng(0)
for xs, ys in [((16, 512, 512), (16, 512, 512)), ((4000, 32, 32), (4000, 32, 32)), ((50000, 8, 8), (50000, 8, 8)),
               ((64, 12, 4, 5), (64, 12, 5, 8)), ((200, 64, 1000), (200, 1000, 64))]:
    for density in (0.5, 1 / 6, 0.01):
        x, y = rng.random(xs) < density, rng.random(ys) < density
        fs = {"new": lambda: batchdot.batch_dot(x, y), "old": lambda: batchdot_old.batch_dot(x, y),
              "matmul": lambda: np.matmul(x, y) if len(xs) == 3 else None}
        for f in fs.values():
            f()
        assert np.array_equal(fs["new"](), fs["old"]())
        ts = {k: [] for k in fs}
        for r in range(15):
            for k, f in (fs.items() if r % 2 else reversed(fs.items())):
                t = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t)
        m = {k: np.median(v) * 1e3 for k, v in ts.items()}
        print(f"{str(xs):16s}·{str(ys):16s} density {density:.2f}: new {m['new']:8.3f} ms  old {m['old']:8.3f} ms  "
              f"matmul {m['matmul']:8.3f} ms  new/old speed {m['old'] / m['new']:5.2f}  ratio new {m['matmul'] / m['new']:5.2f}"
              if len(xs) == 3 else
              f"{str(xs):16s}·{str(ys):16s} density {density:.2f}: new {m['new']:8.3f} ms  old {m['old']:8.3f} ms  new/old speed {m['old'] / m['new']:5.2f}",
              flush=True)
