"""Complex products the size of BLAS's: the tiles (``kernel="tile"``, the automatic choice
before complex64/complex128 joined ``choose.blas_sized``) against the automatic choice
(NumPy's ``cgemm``/``zgemm`` behind the overflow bound), interleaved in one process, and
``np.matmul`` beside them.  Scenes: idle, one core kept busy by a spinning process, each call
right after ``np.matmul`` of a (384, 384) float32 pair.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/complex_blas_ab.py [idle] [busy] [pipeline]
"""
import time

import numpy as np

from batchdot import batch_dot
from batchdot.bench.cpu import busy_core

SHAPES = [(16, 512, 512, 512), (4, 256, 256, 256), (8, 1024, 256, 256)]
rng = np.random.default_rng(0)
a384 = rng.standard_normal((384, 384)).astype(np.float32)


def med(fns, reps, pipeline):
    ts = [[] for _ in fns]
    for _ in range(reps):
        for i, f in enumerate(fns):
            if pipeline:
                a384 @ a384
            t = time.perf_counter()
            f()
            ts[i].append(time.perf_counter() - t)
    return [float(np.median(t)) for t in ts]


def scene(name, pipeline=False):
    for dt in (np.complex64, np.complex128):
        for B, M, K, N in SHAPES:
            x = (rng.standard_normal((B, M, K)) + 1j * rng.standard_normal((B, M, K))).astype(dt)
            y = (rng.standard_normal((B, K, N)) + 1j * rng.standard_normal((B, K, N))).astype(dt)
            fns = [lambda: batch_dot(x, y, kernel="tile"), lambda: batch_dot(x, y), lambda: np.matmul(x, y)]
            for f in fns:  # warm: compile, parallel driver, both paths
                f(), f()
            ref = np.matmul(x.astype(np.complex128), y.astype(np.complex128))
            err = float(np.abs(batch_dot(x, y) - ref).max() / np.abs(ref).max())
            t_tile, t_auto, t_np = med(fns, 9, pipeline)
            print(f"{name:8s} {np.dtype(dt).name:10s} {str((B, M, K, N)):22s} tile {t_tile * 1e3:8.2f} ms  auto {t_auto * 1e3:8.2f} ms"
                  f"  matmul {t_np * 1e3:8.2f} ms  tile/auto {t_tile / t_auto:5.2f}  matmul/auto {t_np / t_auto:5.2f}"
                  f"  rel.err {err:.1e}", flush=True)


import sys

scenes = sys.argv[1:] or ["idle", "busy", "pipeline"]
for s in scenes:
    if s == "busy":
        with busy_core():
            scene("busy")
    else:
        scene(s, pipeline=s == "pipeline")
