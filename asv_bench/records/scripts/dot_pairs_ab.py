"""q . k^T products below the tiles' and BLAS's reach (the dots: y stored (B, N, K), a few to
63 rows of x), the working tree against an earlier one (``batchdot_old``), medians of
interleaved repeats, in a scene (idle, busy, pipeline); NUMBA_NUM_THREADS=1 for one thread.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python
asv_bench/records/scripts/dot_pairs_ab.py [SCENE]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, medians, reps_for

scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
rng = np.random.default_rng(0)
a = rng.standard_normal((384, 384), dtype=np.float32)
SHAPES = [(3, 9, 245, 125), (64, 4, 128, 300), (16, 32, 64, 256), (8, 48, 512, 200), (100, 10, 64, 64),
          (200, 3, 96, 40), (4, 60, 300, 128)]  # (B, M, K, N)


def main():
    for dt in ("float32", "float64"):
        for B, M, K, N in SHAPES:
            x, y = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, N, K)).astype(dt)
            old = batchdot_old.batch_dot(x, y, (2, 2))
            np.testing.assert_allclose(batchdot.batch_dot(x, y, (2, 2)), old, rtol=1e-4, atol=1e-5 * np.abs(old).max())
            fns = [_in_scene(f, scene, lambda: np.matmul(a, a)) for f in
                   (lambda: batchdot.batch_dot(x, y, (2, 2)), lambda: batchdot_old.batch_dot(x, y, (2, 2)),
                    lambda: np.matmul(x, y.transpose(0, 2, 1)))]
            t = medians(fns, reps_for(fns[0], 0.4, 15, 101), unit=1e-6)
            print(f"{dt:8s} (B,M,K,N) {str((B, M, K, N)):20s} new {t[0]:8.1f} old {t[1]:8.1f} us  new/old speed "
                  f"{t[1] / t[0]:4.2f}  matmul {t[2]:8.1f}  matmul/new {t[2] / t[0]:4.2f}", flush=True)


in_scene(main, scene)
