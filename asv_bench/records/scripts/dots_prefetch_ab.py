"""The dots (their prefetch of the next batch element of ``yt``, single or shared dots) against an earlier tree
(``batchdot_old``), vecmat-like products ((B, K) . (B, N, K), ``y`` read once from memory) and
q . k^T with few rows, medians of interleaved repeats, in a scene (idle, busy, pipeline);
with NUMBA_NUM_THREADS=1 both trees run on one thread.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python
asv_bench/records/scripts/dots_prefetch_ab.py [idle|busy|pipeline]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, medians, reps_for

scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
rng = np.random.default_rng(0)
a = rng.standard_normal((384, 384), dtype=np.float32)
CASES = [((10000, 64), (10000, 32, 64), (1, 2)), ((20000, 32), (20000, 16, 32), (1, 2)),
         ((2000, 256), (2000, 64, 256), (1, 2)), ((3, 9, 245), (3, 125, 245), (2, 2)),
         ((64, 4, 128), (64, 300, 128), (2, 2)), ((2000, 64, 128), (2000, 128), (2, 1)),
         ((100, 512, 256), (100, 256), (2, 1)), ((50000, 16, 8), (50000, 8), (2, 1))]


def main():
    for dt in ("float32", "float64"):
        for xs, ys, axes in CASES:
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            old = batchdot_old.batch_dot(x, y, axes)  # the same sums, perhaps in another order
            np.testing.assert_allclose(batchdot.batch_dot(x, y, axes), old, rtol=1e-4, atol=1e-5 * np.abs(old).max())
            fns = [_in_scene(f, scene, lambda: np.matmul(a, a)) for f in
                   (lambda: batchdot.batch_dot(x, y, axes), lambda: batchdot_old.batch_dot(x, y, axes))]
            t = medians(fns, reps_for(fns[0], 0.5, 15, 101), unit=1e-6)
            print(f"{dt:8s} {str(xs):15s} {str(ys):16s} new {t[0]:9.1f} old {t[1]:9.1f} us  new/old speed {t[1] / t[0]:4.2f}",
                  flush=True)


in_scene(main, scene)
