"""Rank-2 row dots of operands the kernels take cast (float16, non-native byte order): the
working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py) and
NumPy's best of ``(x * y).sum(1)`` and ``einsum``, in the bench's three scenes (idle; one core kept
busy by a spinning process; each call right after ``np.matmul`` of a (384, 384) float32 pair);
medians of interleaved repeats.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/cast_rows_ab.py"""
import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, busy_core
from interleave import medians

rng = np.random.default_rng(0)
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))


def run(scene):
    print(f"scene {scene}", flush=True)
    for shape in ((4, 3), (100, 16), (200000, 64), (20000, 300)):
        for dt in ("float16", ">f8", ">f4", ">c8"):
            x, y = rng.standard_normal(shape).astype(dt), rng.standard_normal(shape).astype(dt)
            fns = [lambda: batchdot.batch_dot(x, y, 1), lambda: batchdot_old.batch_dot(x, y, 1),
                   lambda: (x * y).sum(1), lambda: np.einsum("bk,bk->b", x, y)]
            fns = [_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns]
            new, old, s, e = medians(fns, reps=41 if shape[0] < 1000 else 15, unit=1e-6)
            print(f"  {str(shape):12s} {dt:8s} new {new:9.2f} us  old {old:9.2f}  (x*y).sum {s:9.2f}  einsum {e:9.2f}"
                  f"  new/old speed {old / new:5.2f}  numpy best/new {min(s, e) / new:5.2f}", flush=True)


run("idle")
with busy_core():
    run("busy")
run("pipeline")
