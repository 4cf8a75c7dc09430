"""Folded products near choose.FOLD_SHARE: ``x (B, A, K, C)`` against ``y (B, K, N)``, where the
repeated ``y`` takes ``N / C`` of ``x``'s bytes (folded up to 0.5), the working tree against an
earlier one without the fold (``batchdot_old`` on PYTHONPATH, as for tree_ab.py: ad2b6ae) in a
scene, each order once, medians of interleaved repeats.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/kpkg python asv_bench/records/scripts/fold_bound_ab.py [scene [share]]
``share``: choose.FOLD_SHARE for the run (an experiment beyond the bound: the cases with
``N / C`` up to 4 then fold too)."""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting
from batchdot.cpu import choose

rng = np.random.default_rng(0)
scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
if len(sys.argv) > 2:
    choose.FOLD_SHARE = float(sys.argv[2])
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))
CASES = [((32, 100, 5, 16), (32, 5, 8)), ((32, 100, 64, 16), (32, 64, 8)), ((16, 100, 16, 64), (16, 16, 32)),
         ((64, 80, 8, 8), (64, 8, 4)), ((8, 200, 32, 32), (8, 32, 8)), ((4, 300, 100, 24), (4, 100, 12)),
         ((128, 70, 3, 40), (128, 3, 20))]
if len(sys.argv) > 2:  # beyond the bound
    CASES = [((32, 100, 5, 16), (32, 5, 16)), ((32, 100, 5, 16), (32, 5, 32)), ((32, 100, 64, 16), (32, 64, 16)),
             ((32, 100, 64, 16), (32, 64, 64)), ((64, 80, 8, 8), (64, 8, 16)), ((8, 200, 32, 32), (8, 32, 64)),
             ((128, 70, 3, 40), (128, 3, 80))]


def run():
    print(f"scene {scene}", flush=True)
    for xs, ys in CASES:
        for dt in (np.float32, np.float64):
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            p = batchdot.plan(x.shape, y.shape, (2, 1))
            folds = choose.fold_size(p, x, y) is not None and not any(True for _ in choose.split_candidates(p, x, y))
            np.testing.assert_allclose(batchdot.batch_dot(x, y, (2, 1)), batchdot_old.batch_dot(x, y, (2, 1)),
                                       rtol=1e-4, atol=1e-3)
            pair = [lambda: batchdot.batch_dot(x, y, (2, 1)), lambda: batchdot_old.batch_dot(x, y, (2, 1))]
            ts = [0.0, 0.0]
            for order in (0, 1):
                fns = pair if order == 0 else pair[::-1]
                got = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 1.0)
                got = got if order == 0 else got[::-1]
                ts = [t + g for t, g in zip(ts, got)]
            print(f"  {str(xs):18s} . {str(ys):14s} {np.dtype(dt).name:8s} N/C {ys[2] / xs[3]:4.2f} "
                  f"{'fold' if folds else 'no fold (split or copy)':24s} new {ts[0] / 2 * 1e6:9.1f} us  old "
                  f"{ts[1] / 2 * 1e6:9.1f}  new/old speed {ts[1] / ts[0]:5.2f}", flush=True)


with scene_setting(scene):
    run()
