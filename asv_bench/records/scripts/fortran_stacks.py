"""Fortran-ordered stacks (np.asfortranarray of 3-D operands: the batch axis is the fastest).
Part 1: the pieces of `_blas` on (16, 512, 512): the overflow bound (`cpu._magnitude`) of its
groups of batch elements read from a Fortran-ordered stack against a C-ordered one, and
np.matmul on each layout.  Part 2: batch_dot against NumPy's spelling per workload, C order,
Fortran order with a strided out, Fortran order.  Medians of 5 after a warm-up, this tree.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/fortran_stacks.py"""
import time
import numpy as np
import batchdot
from batchdot.cpu import _magnitude
from batchdot.cpu.choose import l2_bytes

rng = np.random.default_rng(0)


def t(f, n=5):
    f()
    ts = []
    for _ in range(n):
        a = time.perf_counter(); f(); ts.append(time.perf_counter() - a)
    return np.median(ts) * 1e3


for dt in ("float32", "float64"):
    x = rng.standard_normal((16, 512, 512)).astype(dt); y = rng.standard_normal((16, 512, 512)).astype(dt)
    xf = np.asfortranarray(x)
    step = max(1, (2 * l2_bytes()) // ((x[0].size + y[0].size) * x.itemsize))
    print(f"large512 {dt}: groups of {step}: bound of x's groups, Fortran-ordered "
          f"{t(lambda: [_magnitude(xf[i:i + step]) for i in range(0, 16, step)]):.1f} ms, C-ordered "
          f"{t(lambda: [_magnitude(x[i:i + step]) for i in range(0, 16, step)]):.1f} ms; np.matmul Fortran "
          f"{t(lambda: np.matmul(xf, np.asfortranarray(y))):.1f} ms, C {t(lambda: np.matmul(x, y)):.1f} ms", flush=True)
WL = [("midaxis", (8192, 64, 16), (8192, 64, 16), (1, 1), lambda x, y: np.matmul(x.transpose(0, 2, 1), y)),
      ("small32", (4000, 32, 32), (4000, 32, 32), None, np.matmul),
      ("small8", (50000, 8, 8), (50000, 8, 8), None, np.matmul),
      ("large512", (16, 512, 512), (16, 512, 512), None, np.matmul)]
for name, xs, ys, axes, npf in WL:
    for dt in ("float32", "float64"):
        x = rng.standard_normal(xs).astype(dt); y = rng.standard_normal(ys).astype(dt)
        xf, yf = np.asfortranarray(x), np.asfortranarray(y)
        shape = batchdot.plan(x.shape, y.shape, axes).out_shape
        out = np.empty(tuple(2 * s for s in shape), dt)[tuple(slice(None, None, 2) for _ in shape)]
        print(f"{name:8s} {dt}: batch_dot C {t(lambda: batchdot.batch_dot(x, y, axes)):7.2f} ms, "
              f"Fortran+strided out {t(lambda: batchdot.batch_dot(xf, yf, axes, out=out)):7.2f}, "
              f"Fortran {t(lambda: batchdot.batch_dot(xf, yf, axes)):7.2f} | NumPy C {t(lambda: npf(x, y)):7.2f}, "
              f"Fortran {t(lambda: npf(xf, yf)):7.2f} ms", flush=True)
