"""Tiny calls in two trees (separate processes), against NumPy: best of 9 repeats of 50000 calls.

    cd /tmp; PYTHONPATH=/tmp/oldpkg python /work/main/asv_bench/records/scripts/tiny_call_ab.py batchdot_old|batchdot

A float64 and a float32 (4, 2, 3) . (4, 3, 5) product (the tiles' scalar loops), a float64 (4, 3)
row dot (the row dots' kernel), np.matmul and (a * b).sum(1) for scale.
"""
import importlib
import sys
import timeit

import numpy as np

pkg = importlib.import_module(sys.argv[1])
x, y = np.random.rand(4, 2, 3), np.random.rand(4, 3, 5)
a, b = np.random.rand(4, 3), np.random.rand(4, 3)
x32, y32 = x.astype(np.float32), y.astype(np.float32)
pkg.batch_dot(x, y), pkg.batch_dot(a, b, 1), pkg.batch_dot(x32, y32)
res = {}
for name, f in [("matmul f64", lambda: pkg.batch_dot(x, y)), ("matmul f32", lambda: pkg.batch_dot(x32, y32)),
                ("rowdot f64", lambda: pkg.batch_dot(a, b, 1)), ("np.matmul", lambda: np.matmul(x, y)),
                ("(a*b).sum", lambda: (a * b).sum(1))]:
    res[name] = min(timeit.repeat(f, number=50000, repeat=9)) / 50000 * 1e6
print(f"{sys.argv[1]:12s}", "  ".join(f"{k} {v:.3f} us" for k, v in res.items()))
