"""Where a tiny call's time goes: batch_dot of (4, 2, 3) . (4, 3, 5) float64 against np.matmul,
and the parts of batchdot's short path timed alone (the call cache's key and lookup, the
result's np.empty, the cached runner).  Best of 5 x 50000 calls each.
Run: python asv_bench/records/scripts/tiny_call_parts.py"""
import timeit

import numpy as np

import batchdot
from batchdot import _api

rng = np.random.default_rng(0)
x, y = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 3, 5))
batchdot.batch_dot(x, y)
run = _api._RUNNERS[(x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, None)]


def ns(f, n=50000):
    return min(timeit.repeat(f, number=n, repeat=5)) / n * 1e9


for _ in range(2):
    print(f"batch_dot {ns(lambda: batchdot.batch_dot(x, y)):.0f} ns, np.matmul {ns(lambda: np.matmul(x, y)):.0f} ns; "
          f"parts: key and lookup {ns(lambda: _api._RUNNERS.get((x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, None))):.0f} ns, "
          f"cached runner {ns(lambda: run(x, y)):.0f} ns (of which np.empty {ns(lambda: np.empty((4, 2, 5))):.0f} ns), "
          f"an empty lambda {ns(lambda: None):.0f} ns")
