"""Products where an operand's free axes cannot merge (a free axis on each side of the
contracted one: ``x`` (B, A, K, C) contracted over K, or ``y`` (B, D, K, E)), split into
sub-products along the outer free axis (``cpu._runner_split``) or copied as before: the
working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py) and
NumPy's ``einsum`` (optimize=True), medians of interleaved repeats (order reversed every other
round), on fixed cases (from the unseen sweeps) and random sizes (log-uniform, operands of
64 KiB to 16 MiB together).  SCENE: idle, busy (one core kept busy by a spinning process) or
pipeline (every call right after np.matmul of a (384, 384) float32 pair), as in
``python -m batchdot bench``.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/split_free_axes.py SEED N [DTYPES|-] [SCENE]"""
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
FIXED = [((51, 27, 18, 144), (51, 20, 18), (2, 2)), ((131, 368), (131, 58, 368, 2), (1, 2)),
         ((19, 47, 268, 2), (19, 268, 17), (2, 1)), ((64, 8, 32, 16), (64, 32, 24), (2, 1)),
         ((200, 6, 50, 7), (200, 9, 50, 5), (2, 2))]


def size(hi):
    return int(np.exp(rng.uniform(0, np.log(hi))))


def draw():
    while True:
        B, K = size(2000), size(400)
        split_x = rng.random() < 0.6
        both = rng.random() < 0.2
        xs = (B, size(64), K, size(200)) if split_x or both else ((B, size(300), K) if rng.random() < 0.7 else (B, K))
        ys = (B, size(64), K, size(200)) if not split_x or both else ((B, K, size(300)) if rng.random() < 0.7 else (B, K))
        ax = 2 if len(xs) == 4 else len(xs) - 1 if len(xs) == 2 else 2
        ay = 2 if len(ys) == 4 else 1
        total = (np.prod(xs) + np.prod(ys)) * 8
        if 64 << 10 <= total <= 16 << 20:
            return xs, ys, (ax, ay)


splits = record_calls(engine, "_runner_split", lambda args, got: args[3][0] + str(args[3][3]))


def spelling(xs, ys, axes):
    letters = "bcdefg"
    xl = "a" + "".join(letters[:len(xs) - 1])
    xl = xl[:axes[0]] + "k" + xl[axes[0] + 1:]
    yl = "a" + "".join("mnpq"[:len(ys) - 1])
    yl = yl[:axes[1]] + "k" + yl[axes[1] + 1:]
    out = "".join(c for c in xl + yl[1:] if c != "k")
    return f"{xl},{yl}->{out}"


def main():
    print(f"scene {scene}")
    print(f"{'x':20s} {'y':20s} axes    dtype    split      new ms    old ms einsum ms  new/old  einsum/new")
    for xs, ys, axes in FIXED + [draw() for _ in range(count)]:
        spec = spelling(xs, ys, axes)
        for dt in dtypes:
            x = rng.standard_normal(xs).astype(dt)
            y = rng.standard_normal(ys).astype(dt)
            splits.clear()
            got = batchdot.batch_dot(x, y, axes)
            split = ",".join(splits) or "-"
            ref = np.einsum(spec, x.astype(np.float64), y.astype(np.float64))
            assert got.shape == ref.shape and np.allclose(got, ref, rtol=1e-3, atol=1e-3 * np.sqrt(xs[axes[0]]))
            fns = {"new": lambda: batchdot.batch_dot(x, y, axes), "old": lambda: batchdot_old.batch_dot(x, y, axes),
                   "einsum": lambda: np.einsum(spec, x, y, optimize=True)}
            fns = {k: _in_scene(f, scene, lambda: np.matmul(a, w)) for k, f in fns.items()}
            fns["old"]()
            m = dict(zip(fns, medians(fns.values(), reps_for(fns["old"], 0.5, 9, 61))))
            print(f"{str(xs):20s} {str(ys):20s} {str(axes):7s} {dt.name:8s} {split:8s} {m['new']:9.3f} {m['old']:9.3f}"
                  f" {m['einsum']:9.3f}  {m['old'] / m['new']:6.2f}  {m['einsum'] / m['new']:6.2f}", flush=True)


in_scene(main, scene)
