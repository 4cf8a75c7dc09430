"""C-ordered products below BLAS's reach (``choose.blas_wanted``: M, N and K from 128), where the
tiles run them: the automatic choice against ``kernel='blas'`` and ``np.matmul``, medians of
interleaved repeats, on random sizes (log-uniform: M and N 48-1024, K 8-160, B up to 64; more
than 2^19 multiply-adds a batch element, operands up to 24 MiB).  With an earlier tree as
``batchdot_old`` on PYTHONPATH, its automatic choice too.  SCENE: idle, busy or pipeline.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/blas_reach.py SEED N [DTYPES|-] [SCENE]"""
import sys

import numpy as np

import batchdot
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, log_uniform, medians, reps_for, sweep_args

try:
    import batchdot_old
except ImportError:
    batchdot_old = None

seed, count, dtypes, scene = sweep_args(sys.argv)
a, w = (np.random.default_rng(99).standard_normal((384, 384), dtype=np.float32) for _ in range(2))
rng = np.random.default_rng(seed)
FIXED = [(8, 512, 512, 64), (16, 256, 256, 64), (32, 128, 128, 64), (16, 256, 64, 256), (35, 434, 158, 43),
         (2, 683, 117, 25)]


ROWS = len(sys.argv) > 5 and sys.argv[5] == "rows"


def draw_rows():
    """Few rows, wide: M 2-63, N 256-4096, K 16-512."""
    while True:
        B, M, N, K = log_uniform(rng, 1, 64), log_uniform(rng, 2, 64), log_uniform(rng, 256, 4096), log_uniform(rng, 16, 512)
        if M * N * K > 1 << 19 and B * (M * K + K * N + M * N) * 8 <= 24 << 20:
            return B, M, N, K


def draw():
    if ROWS:
        return draw_rows()
    while True:
        B = log_uniform(rng, 1, 64)
        M, N = (log_uniform(rng, 48, 1024) for _ in range(2))
        K = log_uniform(rng, 8, 160)
        if M * N * K > 1 << 19 and B * (M * K + K * N + M * N) * 8 <= 24 << 20:
            return B, M, N, K


def main():
    print(f"scene {scene}")
    print(f"{'B':>5} {'M':>4} {'N':>5} {'K':>4} dtype    family   auto ms   blas ms matmul ms  auto/blas matmul/auto"
          + ("    old ms  old/auto" if batchdot_old else ""))
    for B, M, N, K in ([] if ROWS else FIXED) + [draw() for _ in range(count)]:
        for dt in dtypes:
            x = rng.standard_normal((B, M, K)).astype(dt)
            y = rng.standard_normal((B, K, N)).astype(dt)
            batchdot.batch_dot(x, y)
            fam = batchdot._api._RUNNERS[(x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, None)].family
            fns = {"auto": lambda: batchdot.batch_dot(x, y), "blas": lambda: batchdot.batch_dot(x, y, kernel="blas"),
                   "matmul": lambda: np.matmul(x, y)}
            if batchdot_old:
                fns["old"] = lambda: batchdot_old.batch_dot(x, y)
            fns = {k: _in_scene(f, scene, lambda: np.matmul(a, w)) for k, f in fns.items()}
            m = dict(zip(fns, medians(fns.values(), reps_for(fns["matmul"], 0.4))))
            print(f"{B:5d} {M:4d} {N:5d} {K:4d} {dt.name:8s} {fam:6s} {m['auto']:9.3f} {m['blas']:9.3f} {m['matmul']:9.3f}"
                  f"  {m['auto'] / m['blas']:9.2f} {m['matmul'] / m['auto']:11.2f}"
                  + (f" {m['old']:9.3f} {m['old'] / m['auto']:9.2f}" if batchdot_old else ""), flush=True)


in_scene(main, scene)
