"""BLAS-sized products of operands of other dtypes than the result, the working tree ("new")
against batchdot_old, idle and with one core kept busy (where BLAS hands over to the tiles),
NumPy's best spelling (operands cast to the result dtype, then np.matmul) interleaved; medians
(tree_ab.med; since 17:35 with its order reversed every other round).
Run (the old tree as in tree_ab.py):
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/mixed_busy_ab.py"""
import numpy as np

import batchdot
import batchdot_old
from tree_ab import med, spinning  # the same interleaving (order reversed every other round)

rng = np.random.default_rng(0)
CASES = [  # (x shape, y shape, x dtype, y dtype, dtype=)
    ((16, 512, 512), (16, 512, 512), "float32", "float32", "float64"),
    ((16, 512, 512), (16, 512, 512), "float32", "float64", None),
    ((16, 512, 512), (16, 512, 512), "int32", "float64", None),
    ((64, 256, 256), (64, 256, 256), "float32", "float32", "float64"),
]


def scene(name):
    print(f"scene: {name}", flush=True)
    for xs, ys, xd, yd, dt in CASES:
        x = (rng.standard_normal(xs) * 4).astype(xd)
        y = (rng.standard_normal(ys) * 4).astype(yd)
        res = np.dtype(dt or np.result_type(x, y))
        assert np.array_equal(batchdot.batch_dot(x, y, dtype=dt), batchdot_old.batch_dot(x, y, dtype=dt)) or name == "idle"
        fns = {"new": lambda: batchdot.batch_dot(x, y, dtype=dt), "old": lambda: batchdot_old.batch_dot(x, y, dtype=dt),
               "numpy": lambda: np.matmul(x.astype(res, copy=False), y.astype(res, copy=False))}
        m = med(fns, 7)
        print(f"  {str(xs):15s} {xd},{yd}:{dt}  new {m['new']*1e3:8.2f} ms  old {m['old']*1e3:8.2f} ms  numpy {m['numpy']*1e3:8.2f} ms"
              f"  new/old speed {m['old']/m['new']:5.2f}  ratio new {m['numpy']/m['new']:5.2f} old {m['numpy']/m['old']:5.2f}", flush=True)


scene("idle")
with spinning():
    scene("busy (one core kept busy by a spinning process)")
