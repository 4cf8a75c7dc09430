"""Tiny matrix products, (4, 2, 3) . (4, 3, 5), per dtype: batch_dot against np.matmul (us per call).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/tiny_matmul.py

Best of 5 x 5000 calls, three interleaved rounds, the minimum of each side; #12 item 6.
"""
import timeit

import numpy as np

from batchdot import batch_dot

res = {}
for _ in range(3):
    for d in ("float64", "float32", "complex128", "complex64", "int32", "int64", "float16", "bool"):
        x, y = np.ones((4, 2, 3), d), np.ones((4, 3, 5), d)
        batch_dot(x, y), batch_dot(x, y), np.matmul(x, y)
        a = min(timeit.repeat(lambda: batch_dot(x, y), number=5000, repeat=5)) / 5000 * 1e6
        b = min(timeit.repeat(lambda: np.matmul(x, y), number=5000, repeat=5)) / 5000 * 1e6
        res.setdefault(d, []).append((a, b))
for d, v in res.items():
    a, b = min(t[0] for t in v), min(t[1] for t in v)
    print(f"{d:10s} batch_dot {a:5.2f} us  matmul {b:5.2f} us  ratio {b / a:.2f}")
