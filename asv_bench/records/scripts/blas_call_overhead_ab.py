"""Small products that BLAS computes (q . k^T from 2^20 multiply-adds a batch element, squares
of 256, ``kernel='blas'`` on a small q . k^T): the working tree against an earlier one
(``batchdot_old``) and ``np.matmul``, medians of interleaved repeats, in a scene: idle (interleaved with
``np.matmul``: its threads may spin before the others' calls), busy or pipeline.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python
asv_bench/records/scripts/blas_call_overhead_ab.py [SCENE]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, medians, reps_for

scene = sys.argv[1] if len(sys.argv) > 1 else "idle"

rng = np.random.default_rng(0)
CASES = [  # (x shape, y shape, axes, kernel, NumPy)
    ((2, 64, 256), (2, 96, 256), (2, 2), None, lambda x, y: np.matmul(x, y.transpose(0, 2, 1))),
    ((4, 128, 64), (4, 128, 64), (2, 2), None, lambda x, y: np.matmul(x, y.transpose(0, 2, 1))),
    ((2, 256, 64), (2, 64, 256), None, None, np.matmul),
    ((1, 256, 256), (1, 256, 256), None, None, np.matmul),
    ((3, 9, 245), (3, 125, 245), (2, 2), "blas", lambda x, y: np.matmul(x, y.transpose(0, 2, 1))),
]
a = np.random.default_rng(1).standard_normal((384, 384), dtype=np.float32)


def main():
    for dt in ("float32", "float64"):
        for xs, ys, axes, kernel, ref in CASES:
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            np.testing.assert_allclose(batchdot.batch_dot(x, y, axes, kernel=kernel), ref(x, y), rtol=1e-4, atol=1e-3)
            fns = [lambda: batchdot.batch_dot(x, y, axes, kernel=kernel), lambda: batchdot_old.batch_dot(x, y, axes, kernel=kernel),
                   lambda: ref(x, y)]
            fns = [_in_scene(f, scene, lambda: np.matmul(a, a)) for f in fns]
            t = medians(fns, reps_for(fns[0], 0.5, 31, 301), unit=1e-6)
            print(f"{dt:8s} {str(xs):15s} {str(ys):15s} axes {str(axes):7s} kernel {str(kernel):5s} new {t[0]:8.1f} old {t[1]:8.1f} us"
                  f"  new/old speed {t[1] / t[0]:4.2f}  numpy {t[2]:8.1f}  numpy/new {t[2] / t[0]:4.2f}", flush=True)


in_scene(main, scene)
