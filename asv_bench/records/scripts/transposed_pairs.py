"""Products whose operands are both stored transposed, ``x`` as (B, K, M) and ``y`` as
(B, N, K) (``batch_dot(x, y, axes=(1, 2))``): the working tree against an earlier one
(``batchdot_old`` on PYTHONPATH, as for tree_ab.py) and NumPy's ``einsum``, medians of
interleaved repeats (order reversed every other round), on random sizes (log-uniform, operands
of 1 KiB to 16 MiB) after fixed cases.  Prints M <= K, whether the new tree computes the
transpose (``_runner_swapped``), and the times.  SCENE: idle, busy (one core kept busy by a
spinning process) or pipeline (every call right after np.matmul of a (384, 384) float32 pair),
as in ``python -m batchdot bench``.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/transposed_pairs.py SEED N [DTYPES|-] [SCENE]"""
import sys

import numpy as np

import batchdot
import batchdot.cpu as engine
import batchdot_old
from batchdot.bench.cpu import _in_scene
from interleave import in_scene, medians, record_calls, reps_for, sweep_args

seed, count, dtypes, scene = sweep_args(sys.argv)
a, w = (np.random.default_rng(99).standard_normal((384, 384), dtype=np.float32) for _ in range(2))
rng = np.random.default_rng(seed)
FIXED = [(7724, 4, 11, 24), (4, 39, 7, 3850), (100, 64, 32, 48), (1000, 16, 16, 16), (2000, 8, 3, 5), (64, 128, 128, 128)]


def draw():
    while True:
        B, M, K, N = (int(np.exp(rng.uniform(0, np.log(h)))) for h in (5000, 600, 600, 600))
        total = B * K * (M + N) * 8
        if 1 << 10 <= total <= 16 << 20 and M >= 2 and N >= 2:
            return B, M, K, N


swaps = record_calls(engine, "_runner_swapped", lambda args, got: 1)


def main():
    print(f"scene {scene}")
    print(f"{'B':>5} {'M':>4} {'K':>4} {'N':>4} dtype    M<=K swap      new ms    old ms einsum ms  new/old  einsum/new")
    for B, M, K, N in FIXED + [draw() for _ in range(count)]:
        for dt in dtypes:
            x = rng.standard_normal((B, K, M)).astype(dt)
            y = rng.standard_normal((B, N, K)).astype(dt)
            swaps.clear()
            got = batchdot.batch_dot(x, y, (1, 2))
            swapped = bool(swaps)
            assert np.allclose(got, np.einsum("bkm,bnk->bmn", x, y), rtol=1e-3, atol=1e-3)
            fns = {"new": lambda: batchdot.batch_dot(x, y, (1, 2)), "old": lambda: batchdot_old.batch_dot(x, y, (1, 2)),
                   "einsum": lambda: np.einsum("bkm,bnk->bmn", x, y, optimize=True)}
            fns = {k: _in_scene(f, scene, lambda: np.matmul(a, w)) for k, f in fns.items()}
            fns["old"]()
            m = dict(zip(fns, medians(fns.values(), reps_for(fns["old"], 0.3, 5, 41))))
            print(f"{B:5d} {M:4d} {K:4d} {N:4d} {dt.name:8s} {str(M <= K):5s} {str(swapped):5s} {m['new']:9.3f} {m['old']:9.3f}"
                  f" {m['einsum']:9.3f}  {m['old'] / m['new']:6.2f}  {m['einsum'] / m['new']:6.2f}", flush=True)


in_scene(main, scene)
