"""Products with ``y`` stored (B, N, K) (``batch_dot(x, y, axes=(2, 2))``, as q . k^T), ``x``
stored (B, M, K): the working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for
tree_ab.py) and NumPy's ``np.matmul(x, y.transpose(0, 2, 1))``, medians of interleaved repeats
(order reversed every other round), on fixed cases and random sizes (log-uniform: B up to
2000, M, N, K up to 600; operands of 1 KiB to 16 MiB).  ``swap``: whether the new tree runs the
product as its transpose (``cpu._runner_swapped``).  SCENE: idle, busy (one core kept busy by a
spinning process) or pipeline (every call right after np.matmul of a (384, 384) float32 pair).
With ``near``: sizes around the transpose's rule instead (M 2-128, N up to 4000, K up to 600).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/qkt_sweep.py SEED N [SCENE [near]]"""
import sys

import numpy as np

import batchdot
import batchdot.cpu as engine
import batchdot_old
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, log_uniform, medians, record_calls, reps_for

seed, count = int(sys.argv[1]), int(sys.argv[2])
scene = sys.argv[3] if len(sys.argv) > 3 else "idle"
NEAR = len(sys.argv) > 4 and sys.argv[4] == "near"
a, w = (np.random.default_rng(99).standard_normal((384, 384), dtype=np.float32) for _ in range(2))
rng = np.random.default_rng(seed)
FIXED = [(4, 7, 3850, 39), (16, 16, 1000, 32), (64, 12, 256, 128), (100, 64, 64, 256), (64, 128, 128, 64),
         (16, 6, 1000, 32)]


def draw():
    while True:
        B = log_uniform(rng, 1, 2000)
        M, N, K = (log_uniform(rng, 1, 600) for _ in range(3))
        if NEAR:
            M, N = log_uniform(rng, 2, 128), log_uniform(rng, 8, 4000)
        total = B * K * (M + N) * 8
        if 1 << 10 <= total <= 16 << 20 and N >= 2:
            return B, M, N, K


swaps = record_calls(engine, "_runner_swapped", lambda args, got: 1)


def main():
    print(f"scene {scene}")
    print(f"{'B':>5} {'M':>4} {'N':>5} {'K':>4} dtype    swap      new ms    old ms matmul ms  new/old  matmul/new")
    for B, M, N, K in FIXED + [draw() for _ in range(count)]:
        for dt in (np.float32, np.float64):
            x = rng.standard_normal((B, M, K)).astype(dt)
            y = rng.standard_normal((B, N, K)).astype(dt)
            swaps.clear()
            got = batchdot.batch_dot(x, y, (2, 2))
            swapped = bool(swaps)
            assert np.allclose(got, np.matmul(x, y.transpose(0, 2, 1)), rtol=1e-3, atol=1e-3 * np.sqrt(K))
            fns = {"new": lambda: batchdot.batch_dot(x, y, (2, 2)), "old": lambda: batchdot_old.batch_dot(x, y, (2, 2)),
                   "matmul": lambda: np.matmul(x, y.transpose(0, 2, 1))}
            fns = {k: _in_scene(f, scene, lambda: np.matmul(a, w)) for k, f in fns.items()}
            fns["old"]()
            m = dict(zip(fns, medians(fns.values(), reps_for(fns["old"], 0.4))))
            print(f"{B:5d} {M:4d} {N:5d} {K:4d} {np.dtype(dt).name:8s} {str(swapped):5s} {m['new']:9.3f} {m['old']:9.3f}"
                  f" {m['matmul']:9.3f}  {m['old'] / m['new']:6.2f}  {m['matmul'] / m['new']:6.2f}", flush=True)


in_scene(main, scene)
