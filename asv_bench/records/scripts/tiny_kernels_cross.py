"""Tiny products: the tiles' compiled call against the tiny loops' (``kernels.tiny_products``),
with the result's allocation, per shape and dtype (ns per call, best of 5 x 20000).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/tiny_kernels_cross.py float64 float32 int32 complex128

Where ``choose.TINY_MADDS`` draws the line: the loops win while their work is short.
"""
import sys
import timeit

import numpy as np

from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
from batchdot.cpu.kernels import tiny_complex_products, tiny_products


def t(f, n=20000):
    return round(min(timeit.repeat(f, number=n, repeat=5)) / n * 1e9)


for name in sys.argv[1:]:
    dt = np.dtype(name)
    rng = np.random.default_rng(0)
    for xs, ys in [((4, 2, 3), (4, 3, 5)), ((2, 4, 8), (2, 8, 4)), ((8, 4, 4), (8, 4, 4)), ((4, 8, 8), (4, 8, 8)),
                   ((16, 8, 8), (16, 8, 8)), ((2, 16, 16), (2, 16, 16))]:
        x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
        zero = {"f": dt.type(0), "c": dt.type(0), "i": np.int64(0), "u": np.uint64(0)}[dt.kind]
        shape = (xs[0], xs[1], ys[2])
        o = np.empty(shape, dt)
        span = tiles.kernels_for(dt)
        items = tiles.work_items(xs[0], xs[1])
        te = compile_for(span, (x, y, o, zero, 0, items), general=True)
        loops = compile_for(tiny_complex_products if dt.kind == "c" else tiny_products, (x, y, o, zero), general=True)
        a, b = np.empty(shape, dt), np.empty(shape, dt)
        te(x, y, a, zero, 0, items), loops(x, y, b, zero)
        np.testing.assert_allclose(a, b, rtol=1e-5)
        madds = int(np.prod(shape)) * xs[2]
        print(f"{dt.name:10s} {str(xs):11s}{str(ys):11s} madds {madds:5d}  tiles {t(lambda: te(x, y, np.empty(shape, dt), zero, 0, items)):5d}"
              f"  loops {t(lambda: loops(x, y, np.empty(shape, dt), zero)):5d} ns")
