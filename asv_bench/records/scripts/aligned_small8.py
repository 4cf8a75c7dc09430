"""small8 through batch_dot (2 threads, idle), the cached runner with aligned results against one with np.empty results (cpu.ALIGN_FROM set before each runner is built), interleaved, 80 rounds; medians in ms.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/aligned_small8.py"""
import time, numpy as np, batchdot
from batchdot import _api, cpu
rng = np.random.default_rng(0)
for dt in (np.float64, np.float32):
    x = rng.standard_normal((50000, 8, 8)).astype(dt); y = rng.standard_normal((50000, 8, 8)).astype(dt)
    def mk(al):
        cpu.ALIGN_FROM = (1 << 16) if al else (1 << 62)
        _api._RUNNERS.clear()
        key = (x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, None)
        batchdot.batch_dot(x, y); batchdot.batch_dot(x, y)
        return _api._RUNNERS[key]
    runs = {"aligned": mk(True), "plain": mk(False)}
    ts = {k: [] for k in runs}
    for r in range(80):
        for k in (list(runs) if r % 2 else list(runs)[::-1]):
            f = runs[k]
            t = time.perf_counter(); f(x, y); ts[k].append(time.perf_counter() - t)
    print(np.dtype(dt).name, {k: round(np.median(v) * 1e3, 3) for k, v in ts.items()}, "ms", cpu.policy.state.snapshot()["serial"])
