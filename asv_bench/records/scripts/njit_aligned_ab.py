"""batch_dot inside @njit, the working tree ("new") against batchdot_old: a jitted loop of 200
calls on squash's operands ((64, 12, 4, 5) . (64, 12, 5, 8): 0.6-2 MB results, filled by the
Python API from inside the loop) and on small32-sized ones with 2000 elements; medians of 9
interleaved repeats, us a call, one thread and two.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/njit_aligned_ab.py"""
import time
import numpy as np
from numba import njit
import batchdot
import batchdot_old


def loop(bd):
    @njit
    def run(x, y, reps):
        s = 0.0
        for _ in range(reps):
            s += bd(x, y).ravel()[0]
        return s
    return run


runs = {"new": loop(batchdot.batch_dot), "old": loop(batchdot_old.batch_dot)}
rng = np.random.default_rng(0)
for dt in ("float32", "float64"):
    for xs, ys in [((64, 12, 4, 5), (64, 12, 5, 8)), ((2000, 32, 32), (2000, 32, 32))]:
        x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
        ts = {k: [] for k in runs}
        for r in runs.values():
            r(x, y, 3)
        for i in range(9):
            for k in (list(runs) if i % 2 else list(runs)[::-1]):
                t = time.perf_counter(); runs[k](x, y, 200); ts[k].append((time.perf_counter() - t) / 200)
        m = {k: np.median(v) * 1e6 for k, v in ts.items()}
        print(dt, xs, ys, f"new {m['new']:.1f} us  old {m['old']:.1f} us  new/old speed {m['old'] / m['new']:.2f}", flush=True)
