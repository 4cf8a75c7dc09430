"""The dots' lane sums (``vector._joint_lane_sums``): matrix-vector, q . k^T and vector-matrix
products on the ``dot`` family, the working tree against an earlier one (``batchdot_old``),
medians of interleaved repeats, in a scene (idle, busy, pipeline).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python
asv_bench/records/scripts/dot_sums_ab.py [SCENE]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, medians, reps_for

scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
rng = np.random.default_rng(0)
a = rng.standard_normal((384, 384), dtype=np.float32)
CASES = [  # (x shape, y shape, axes, NumPy's spelling)
    ((475, 44, 42), (475, 42), (2, 1), "bmk,bk->bm"),
    ((2000, 32, 24), (2000, 24), (2, 1), "bmk,bk->bm"),
    ((3599, 3, 40), (3599, 15, 40), (2, 2), "bmk,bnk->bmn"),
    ((200, 3, 96), (200, 40, 96), (2, 2), "bmk,bnk->bmn"),
    ((100, 10, 64), (100, 64, 64), (2, 2), "bmk,bnk->bmn"),
    ((10000, 64), (10000, 32, 64), (1, 2), "bk,bnk->bn"),
    ((3, 129), (3, 129, 1), (1, 1), "bk,bkn->bn"),
]


def main():
    for dt in ("float32", "float64"):
        for xs, ys, axes, spec in CASES:
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            old = batchdot_old.batch_dot(x, y, axes)
            np.testing.assert_allclose(batchdot.batch_dot(x, y, axes), old, rtol=1e-4, atol=1e-5 * np.abs(old).max())
            fns = [_in_scene(f, scene, lambda: np.matmul(a, a)) for f in
                   (lambda: batchdot.batch_dot(x, y, axes), lambda: batchdot_old.batch_dot(x, y, axes),
                    lambda: np.einsum(spec, x, y))]
            t = medians(fns, reps_for(fns[0], 0.4, 15, 101), unit=1e-6)
            print(f"{dt:8s} {str(xs):14s} {str(ys):16s} axes {str(axes):7s} new {t[0]:8.1f} old {t[1]:8.1f} us  "
                  f"new/old speed {t[1] / t[0]:4.2f}  einsum {t[2]:8.1f}  einsum/new {t[2] / t[0]:4.2f}", flush=True)


in_scene(main, scene)
