"""Products over ``x`` stored (B, K, M) with few columns (``choose.narrow_columns``), the working
tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py) and NumPy's
``einsum`` (optimize=True), in the bench's three scenes (idle; one core kept busy by a spinning
process; each call right after ``np.matmul`` of a (384, 384) float32 pair); medians of
interleaved repeats (order reversed every other round).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/narrow_ab.py"""
import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, busy_core
from interleave import medians

rng = np.random.default_rng(0)
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))
# x shape, y shape, axes, einsum spec: the unseen sweep's (3, 101, 32, 31) . (3, 101, 4), and x stored (B, K, M)
CASES = [((3, 101, 32, 31), (3, 101, 4), (1, 1), "akbc,akn->abcn"), ((272, 57, 95), (272, 57, 2), (1, 1), "akm,akn->amn"),
         ((100, 32, 64), (100, 32, 4), (1, 1), "akm,akn->amn"), ((20, 16, 500), (20, 16, 3), (1, 1), "akm,akn->amn"),
         ((3, 101, 992), (3, 101, 2), (1, 1), "akm,akn->amn"), ((50, 200, 128), (50, 200, 4), (1, 1), "akm,akn->amn")]


def run(scene):
    print(f"scene {scene}", flush=True)
    for xs, ys, axes, spec in CASES:
        for dt in (np.float32, np.float64):
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            fns = {"new": lambda: batchdot.batch_dot(x, y, axes), "old": lambda: batchdot_old.batch_dot(x, y, axes),
                   "einsum": lambda: np.einsum(spec, x, y, optimize=True)}
            fns = {k: _in_scene(f, scene, lambda: np.matmul(a, w)) for k, f in fns.items()}
            m = dict(zip(fns, medians(fns.values(), unit=1e-6)))
            print(f"  {str(xs):18s} {str(ys):14s} {np.dtype(dt).name:8s} new {m['new']:8.1f} us  old {m['old']:8.1f}"
                  f"  einsum {m['einsum']:8.1f}  new/old speed {m['old'] / m['new']:5.2f}  einsum/new {m['einsum'] / m['new']:5.2f}",
                  flush=True)


run("idle")
with busy_core():
    run("busy")
run("pipeline")
