"""One thread, kernel="tile", both trees interleaved in one process (the earlier tree as
``batchdot_old``, as for tree_ab.py): midaxis (8192, 64, 16) contracted on axis 1, the same
in cache (64 batch elements, repeated), and C-ordered 16 x 16 x 16 products.
Run: PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/narrow_fma.py"""
import time, numpy as np, numba
numba.set_num_threads(1)
import batchdot, batchdot_old
rng = np.random.default_rng(0)
def med(fns, n=25):
    for f in fns.values(): f(); f()
    ts = {k: [] for k in fns}
    for _ in range(n):
        for k, f in fns.items():
            t=time.perf_counter(); f(); ts[k].append(time.perf_counter()-t)
    return {k: np.median(v) for k, v in ts.items()}
for dt in (np.float32, np.float64):
  for name, xs, axes in (("midaxis", (8192, 64, 16), (1, 1)), ("midaxis-cached", (64, 64, 16), (1, 1)), ("16x16x16", (20000, 16, 16), (2, 1))):
    x = rng.standard_normal(xs).astype(dt); y = rng.standard_normal(xs).astype(dt)
    reps = max(1, 8192 // xs[0])
    m = med({"new": lambda: [batchdot.batch_dot(x, y, axes, kernel="tile") for _ in range(reps)],
             "old": lambda: [batchdot_old.batch_dot(x, y, axes, kernel="tile") for _ in range(reps)]})
    print(f"{name:15s} {np.dtype(dt).name}: one thread, new (FI={__import__('batchdot.cpu.tiles').cpu.tiles.FMA_INTENSITY}) {m['new']*1e3:.2f} ms old {m['old']*1e3:.2f} ms  speed {m['old']/m['new']:.2f}", flush=True)
