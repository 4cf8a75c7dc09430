"""Products of mixed real dtypes that run as their transpose since the layout checks read each
operand's own item size (``choose.transposed_pair``): the working tree against an earlier one
(``batchdot_old`` on PYTHONPATH), in the bench's three scenes, medians of interleaved repeats.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/mixed_swap_ab.py"""
import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, busy_core
from interleave import medians

rng = np.random.default_rng(0)
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))
# (x, y, axes): x (B, M, K) . y (B, N, K) (q . k^T); x stored (B, K, M) . y (B, N, K) (a transposed pair)
CASES = [((16, 16, 32), (16, 1000, 32), (2, 2)), ((64, 12, 128), (64, 256, 128), (2, 2)),
         ((30, 170, 40), (30, 250, 170), (1, 2)), ((100, 64, 32), (100, 48, 64), (1, 2))]


def run(scene):
    print(f"scene {scene}", flush=True)
    for xs, ys, axes in CASES:
        for xd, yd in (("float32", "float64"), ("int16", "float32")):
            x, y = rng.standard_normal(xs).astype(xd), rng.standard_normal(ys).astype(yd)
            fns = [_in_scene(f, scene, lambda: np.matmul(a, w)) for f in
                   (lambda: batchdot.batch_dot(x, y, axes), lambda: batchdot_old.batch_dot(x, y, axes))]
            new, old = medians(fns, reps=21)
            print(f"  {str(xs):15s} {str(ys):17s} {xd}x{yd:8s} new {new:8.3f} ms  old {old:8.3f}  new/old speed {old / new:5.2f}",
                  flush=True)


run("idle")
with busy_core():
    run("busy")
run("pipeline")
