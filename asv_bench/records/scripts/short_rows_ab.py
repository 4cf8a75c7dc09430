"""Row dots of a few elements, ``(B, K) . (B, K)`` in C order: the working tree against an
earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py) and NumPy's best of einsum and
``(x * y).sum(1)``, medians of interleaved repeats, in a scene (idle, busy or pipeline).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/short_rows_ab.py [scene [B]]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting

rng = np.random.default_rng(0)
scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
B = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))


def run():
    print(f"scene {scene}, B = {B}", flush=True)
    for K in (2, 3, 4, 6, 8, 9, 12, 16):
        for dt in (np.float32, np.float64, np.int32):
            x, y = (rng.standard_normal((B, K)) * 9).astype(dt), (rng.standard_normal((B, K)) * 9).astype(dt)
            fns = [lambda: batchdot.batch_dot(x, y, 1), lambda: batchdot_old.batch_dot(x, y, 1),
                   lambda: np.einsum("bk,bk->b", x, y), lambda: (x * y).sum(1)]
            ts = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 2.0)
            best = min(ts[2:])
            print(f"  K {K:2d} {np.dtype(dt).name:8s} new {ts[0] * 1e6:9.1f} us  old {ts[1] * 1e6:9.1f}  numpy "
                  f"{best * 1e6:9.1f}  new/old speed {ts[1] / ts[0]:5.2f}  ratio new {best / ts[0]:5.2f} old "
                  f"{best / ts[1]:5.2f}", flush=True)


with scene_setting(scene):
    run()
