"""q . k^T products (``x`` stored (B, M, K), ``y`` stored (B, N, K), ``axes=(2, 2)``): the
automatic choice against ``kernel='blas'`` (``np.matmul`` reading ``y`` in place, under the
overflow bound) and NumPy's ``np.matmul(x, y.transpose(0, 2, 1))``, medians of interleaved
repeats, on attention-like shapes and random sizes (log-uniform M, N, K from 16 to 768, B up to
256; operands of 64 KiB to 24 MiB).  ``family``: what the automatic choice ran.
SCENE: idle, busy (one core kept busy by a spinning process) or pipeline (every call right
after np.matmul of a (384, 384) float32 pair).  With an earlier tree importable as
``batchdot_old`` (as for tree_ab.py), its automatic choice too (column ``old``).
With ``dots`` after SCENE instead, sizes where the automatic choice takes the dots (M 8-40,
N 16-600, K 64-800, below 2^20 multiply-adds a batch element).  With ``noblas`` after SCENE, ``kernel='blas'`` is left out of the rounds (its calls, which
wait for a busy core, leave NumPy's BLAS threads spinning before the others' calls).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE [PYTHONPATH=/tmp/oldpkg] python asv_bench/records/scripts/qkt_blas.py SEED N [DTYPES|-] [SCENE [noblas|dots]]"""
import sys

import numpy as np

import batchdot

try:
    import batchdot_old
except ImportError:
    batchdot_old = None
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, log_uniform, medians, reps_for, sweep_args

seed, count, dtypes, scene = sweep_args(sys.argv)
NOBLAS = len(sys.argv) > 5 and sys.argv[5] == "noblas"
DOTS = len(sys.argv) > 5 and sys.argv[5] == "dots"
a, w = (np.random.default_rng(99).standard_normal((384, 384), dtype=np.float32) for _ in range(2))
rng = np.random.default_rng(seed)
FIXED = [(32, 64, 64, 64), (32, 128, 128, 64), (16, 256, 256, 64), (8, 512, 512, 64), (8, 128, 512, 128),
         (3, 9, 125, 245)]


def draw():
    while DOTS:
        B = log_uniform(rng, 1, 256)
        M = log_uniform(rng, 8, 40)
        N = log_uniform(rng, 16, 600)
        K = log_uniform(rng, 64, 800)
        if M * N * K < 1 << 20 and 64 << 10 <= B * K * (M + N) * 8 <= 24 << 20:
            return B, M, N, K
    while True:
        B = log_uniform(rng, 1, 256)
        M, N, K = (log_uniform(rng, 16, 768) for _ in range(3))
        total = B * K * (M + N) * 8
        if 64 << 10 <= total <= 24 << 20:
            return B, M, N, K


def main():
    print(f"scene {scene}")
    print(f"{'B':>5} {'M':>4} {'N':>5} {'K':>4} dtype    family   auto ms   blas ms matmul ms  auto/blas matmul/auto matmul/blas"
          + ("    old ms  old/auto" if batchdot_old else ""))
    for B, M, N, K in ([] if DOTS else FIXED) + [draw() for _ in range(count)]:
        for dt in dtypes:
            x = rng.standard_normal((B, M, K)).astype(dt)
            y = rng.standard_normal((B, N, K)).astype(dt)
            run = batchdot.batch_dot(x, y, (2, 2))
            fam = batchdot._api._RUNNERS[(x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, (2, 2))].family
            fns = {"auto": lambda: batchdot.batch_dot(x, y, (2, 2)), "blas": lambda: batchdot.batch_dot(x, y, (2, 2), kernel="blas"),
                   "matmul": lambda: np.matmul(x, y.transpose(0, 2, 1))}
            if batchdot_old:
                fns["old"] = lambda: batchdot_old.batch_dot(x, y, (2, 2))
            if NOBLAS:
                del fns["blas"]
            fns = {k: _in_scene(f, scene, lambda: np.matmul(a, w)) for k, f in fns.items()}
            m = dict(zip(fns, medians(fns.values(), reps_for(fns["matmul"], 0.4))))
            m.setdefault("blas", float("nan"))
            print(f"{B:5d} {M:4d} {N:5d} {K:4d} {dt.name:8s} {fam:6s} {m['auto']:9.3f} {m['blas']:9.3f} {m['matmul']:9.3f}"
                  f"  {m['auto'] / m['blas']:9.2f} {m['matmul'] / m['auto']:11.2f} {m['matmul'] / m['blas']:11.2f}"
                  + (f" {m['old']:9.3f} {m['old'] / m['auto']:9.2f}" if batchdot_old else ""), flush=True)


in_scene(main, scene)
