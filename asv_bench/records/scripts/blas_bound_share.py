"""large512: the overflow bound of cpu._blas (the 2-norms of each group of batch elements, as _blas groups them) against np.matmul alone and both by groups (ms, medians of 7).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/blas_bound_share.py (then with OPENBLAS_NUM_THREADS=1)"""
import numpy as np, time, math
from batchdot.cpu import _magnitude
from batchdot.cpu.choose import l2_bytes
def _groups(x, y, o):
    step = max(1, (2 * l2_bytes()) // ((x[0].size + y[0].size) * o.itemsize))
    for lo in range(0, x.shape[0], step):
        yield x[lo:lo + step], y[lo:lo + step], o[lo:lo + step]
rng = np.random.default_rng(0)
for dt in ["float32", "float64"]:
    x = rng.standard_normal((16, 512, 512)).astype(dt); y = rng.standard_normal((16, 512, 512)).astype(dt); o = np.empty_like(x)
    def bound():
        for xs, ys, os in _groups(x, y, o):
            _magnitude(xs) * _magnitude(ys)
    def mm(): np.matmul(x, y, out=o)
    def both():
        for xs, ys, os in _groups(x, y, o):
            _magnitude(xs) * _magnitude(ys); np.matmul(xs, ys, out=os)
    ts = {"bound": [], "matmul": [], "bound+matmul by groups": []}
    for _ in range(7):
        for k, f in zip(ts, (bound, mm, both)):
            t = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t)
    print(dt, {k: round(np.median(v) * 1e3, 2) for k, v in ts.items()}, "ms")
