"""Products whose x has free axes on both sides of its contracted axis (copied for the tiles):
the working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py) and
NumPy's best of einsum (optimize=True) and matmul on copies, in a scene (idle, busy or
pipeline), medians of interleaved repeats.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/kpkg python asv_bench/records/scripts/k_outer_ab.py [scene]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting

rng = np.random.default_rng(0)
scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))
# x shape, y shape, axes, einsum spelling
CASES = [((48, 106, 5, 23), (48, 2, 5, 4), (2, 2), "bikj,blkm->bijlm"),
         ((12, 9, 344, 117), (12, 344), (2, 1), "bikj,bk->bij"),
         ((64, 30, 17, 50), (64, 17, 40), (2, 1), "bikj,bkn->bijn"),
         ((200, 8, 12, 16), (200, 12, 24), (2, 1), "bikj,bkn->bijn"),
         ((300, 20, 40), (300, 40, 30), (2, 1), "bik,bkn->bin")]  # control: x in place


def run():
    print(f"scene {scene}", flush=True)
    for xs, ys, axes, spec in CASES:
        for dt in (np.float32, np.float64):
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            np.testing.assert_allclose(batchdot.batch_dot(x, y, axes), batchdot_old.batch_dot(x, y, axes),
                                       rtol=1e-4, atol=1e-3)
            fns = [lambda: batchdot.batch_dot(x, y, axes), lambda: batchdot_old.batch_dot(x, y, axes),
                   lambda: np.einsum(spec, x, y, optimize=True)]
            ts = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 2.0)
            print(f"  {str(xs):18s} . {str(ys):16s} {np.dtype(dt).name:8s} new {ts[0] * 1e6:9.1f} us  old "
                  f"{ts[1] * 1e6:9.1f}  einsum {ts[2] * 1e6:9.1f}  new/old speed {ts[1] / ts[0]:5.2f}  ratio new "
                  f"{ts[2] / ts[0]:5.2f} old {ts[2] / ts[1]:5.2f}", flush=True)


with scene_setting(scene):
    run()
