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
import time

import numpy as np

import batchdot
import batchdot.cpu as engine
import batchdot_old
from batchdot.bench.cpu import _in_scene, busy_core

seed, count = int(sys.argv[1]), int(sys.argv[2])
names = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else "float32,float64"
dtypes = [np.dtype(d) for d in names.split(",")]
scene = sys.argv[4] if len(sys.argv) > 4 else "idle"
a, w = (np.random.default_rng(99).standard_normal((384, 384), dtype=np.float32) for _ in range(2))
rng = np.random.default_rng(seed)
FIXED = [(7724, 4, 11, 24), (4, 39, 7, 3850), (100, 64, 32, 48), (1000, 16, 16, 16), (2000, 8, 3, 5), (64, 128, 128, 128)]


def draw():
    while True:
        B, M, K, N = (int(np.exp(rng.uniform(0, np.log(h)))) for h in (5000, 600, 600, 600))
        total = B * K * (M + N) * 8
        if 1 << 10 <= total <= 16 << 20 and M >= 2 and N >= 2:
            return B, M, K, N


swaps = []
real_swapped = engine._runner_swapped
engine._runner_swapped = lambda *a: (swaps.append(1), real_swapped(*a))[1]


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
            for f in fns.values():
                f()
            t0 = time.perf_counter()
            fns["old"]()
            one = time.perf_counter() - t0
            reps = max(5, min(41, int(0.3 / max(one, 1e-6))))
            ts = {k: [] for k in fns}
            for rep in range(reps):
                for k, f in (list(fns.items()) if rep % 2 == 0 else list(fns.items())[::-1]):
                    t0 = time.perf_counter()
                    f()
                    ts[k].append(time.perf_counter() - t0)
            m = {k: float(np.median(v)) * 1e3 for k, v in ts.items()}
            print(f"{B:5d} {M:4d} {K:4d} {N:4d} {dt.name:8s} {str(M <= K):5s} {str(swapped):5s} {m['new']:9.3f} {m['old']:9.3f}"
                  f" {m['einsum']:9.3f}  {m['old'] / m['new']:6.2f}  {m['einsum'] / m['new']:6.2f}", flush=True)


if scene == "busy":
    with busy_core():
        main()
else:
    main()
