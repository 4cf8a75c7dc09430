"""The tiles with the next block of columns of ``y[b]`` prefetched into L2 against an
earlier tree (``batchdot_old``), and ``np.matmul``: products of stacks of matrices whose
``y[b]`` is several blocks of columns wide (its rows read k apart, column block by column
block), few to many rows.  Medians of interleaved repeats, in a scene (idle, busy, pipeline;
iso: the two trees' tiles alone, no ``np.matmul`` whose threads would spin beside them).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python
asv_bench/records/scripts/tile_column_prefetch_ab.py [idle|busy|pipeline] [dtypes]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, medians, reps_for

scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
dtypes = sys.argv[2].split(",") if len(sys.argv) > 2 else ["float32", "float64"]
rng = np.random.default_rng(0)
SHAPES = [(8, 5, 54, 1584), (8, 12, 128, 2000), (4, 3, 300, 3000), (16, 16, 64, 1024), (64, 64, 64, 512),
          (2000, 16, 64, 64), (100, 128, 128, 128), (4000, 32, 32, 32), (30, 40, 200, 700), (2, 7, 500, 5000)]
a = rng.standard_normal((384, 384), dtype=np.float32)
mm = lambda: np.matmul(a, a)  # noqa: E731


def main():
    for dt in dtypes:
        for B, M, K, N in SHAPES:
            x = rng.standard_normal((B, M, K)).astype(dt)
            y = rng.standard_normal((B, K, N)).astype(dt)
            assert np.allclose(batchdot.batch_dot(x, y, kernel="tile"), np.matmul(x, y), rtol=1e-4, atol=1e-3)
            fns = [lambda: batchdot.batch_dot(x, y, kernel="tile"), lambda: batchdot_old.batch_dot(x, y, kernel="tile"),
                   lambda: batchdot.batch_dot(x, y), lambda: batchdot_old.batch_dot(x, y), lambda: np.matmul(x, y)]
            if scene == "iso":
                fns = fns[:2]
                t = medians(fns, reps_for(fns[0], 0.4), unit=1e-6)
                print(f"{dt:8s} (B,M,K,N) {str((B, M, K, N)):22s} tile new {t[0]:9.1f} old {t[1]:9.1f} us  new/old "
                      f"speed {t[1] / t[0]:5.2f}", flush=True)
                continue
            fns = [_in_scene(f, scene, mm) for f in fns]
            t = medians(fns, reps_for(fns[0], 0.4), unit=1e-6)
            print(f"{dt:8s} (B,M,K,N) {str((B, M, K, N)):22s} tile new {t[0]:9.1f} old {t[1]:9.1f} us  new/old speed "
                  f"{t[1] / t[0]:5.2f}   auto new {t[2]:9.1f} old {t[3]:9.1f} ({t[3] / t[2]:4.2f})  matmul {t[4]:9.1f}  "
                  f"matmul/auto new {t[4] / t[2]:4.2f}", flush=True)


in_scene(main, scene)
