"""The tiny matrix product's call path ((4, 2, 3) . (4, 3, 5) float64): batch_dot against
np.matmul and einsum, and its parts: the call-cache key, key + lookup, the cached runner,
np.empty of the result, and the compiled entry point alone; microseconds, best of 7 x 20000.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/tiny_call_parts.py"""
import timeit
import numpy as np
import batchdot
from batchdot import _api

x, y = np.random.rand(4, 2, 3), np.random.rand(4, 3, 5)
for _ in range(3):
    batchdot.batch_dot(x, y)
run = _api._RUNNERS[(x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, None)]
cells = [c.cell_contents for c in run.__closure__]
fn = next(c for c in cells if callable(c) and not isinstance(c, type) and not isinstance(c, np.dtype)
          and getattr(c, "__name__", "") != "empty")
tail = next(c for c in cells if isinstance(c, tuple) and isinstance(c[0], np.generic))  # (zero, lo, hi)
res = np.empty((4, 2, 5))


def t(f, n=20000):
    return min(timeit.repeat(f, number=n, repeat=7)) / n * 1e6


for _ in range(2):
    print(f"batch_dot {t(lambda: batchdot.batch_dot(x, y)):.3f}  np.matmul {t(lambda: np.matmul(x, y)):.3f}  "
          f"einsum {t(lambda: np.einsum('bij,bjk->bik', x, y)):.3f}  |  key "
          f"{t(lambda: (x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, None)):.3f}  key+lookup "
          f"{t(lambda: _api._RUNNERS.get((x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, None))):.3f}  "
          f"runner {t(lambda: run(x, y)):.3f}  np.empty {t(lambda: np.empty((4, 2, 5))):.3f}  "
          f"entry {t(lambda: fn(x, y, res, *tail)):.3f} us", flush=True)
