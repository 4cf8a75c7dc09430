"""q . k^T products whose N is not a multiple of the shared dots' block (``dots.DOTS``): the
working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py) and
NumPy's best of ``np.matmul(q, k.transpose(0, 2, 1))`` and ``einsum``, in the bench's three
scenes, medians of interleaved repeats (``_median_interleaved``); cases as (B, M, N, K).
Run (all cases, three scenes, or one scene and chosen cases of one dtype):
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/dot_overlap_ab.py"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting

rng = np.random.default_rng(0)
CASES = [(3599, 3, 15, 40), (108, 1, 138, 38), (2000, 4, 12, 64), (500, 16, 20, 48), (1000, 2, 9, 100),
         (4000, 8, 8, 40)]
if len(sys.argv) > 2:  # scene, then cases as B,M,N,K and a dtype: python dot_overlap_ab.py idle 3599,3,15,40 float64
    CASES = [tuple(map(int, c.split(","))) for c in sys.argv[2:-1]]
DTYPES = (np.dtype(sys.argv[-1]).type,) if len(sys.argv) > 2 else (np.float32, np.float64)
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))


def run(scene):
    print(f"scene {scene}", flush=True)
    for B, M, N, K in CASES:
        for dt in DTYPES:
            q, k = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, N, K)).astype(dt)
            r0, r1 = batchdot.batch_dot(q, k, (2, 2)), batchdot_old.batch_dot(q, k, (2, 2))
            np.testing.assert_allclose(r0, r1, rtol=1e-4 if dt == np.float32 else 1e-12, atol=1e-4)
            fns = [lambda: batchdot.batch_dot(q, k, (2, 2)), lambda: batchdot_old.batch_dot(q, k, (2, 2)),
                   lambda: np.matmul(q, k.transpose(0, 2, 1)), lambda: np.einsum("bmk,bnk->bmn", q, k, optimize=True)]
            ts = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 3.0)
            best = min(ts[2:])
            print(f"  ({B}, {M}, {K}) . ({B}, {N}, {K}) {np.dtype(dt).name:8s} new {ts[0] * 1e3:8.3f} ms  old "
                  f"{ts[1] * 1e3:8.3f}  numpy {best * 1e3:8.3f}  new/old speed {ts[1] / ts[0]:5.2f}  ratio new "
                  f"{best / ts[0]:5.2f} old {best / ts[1]:5.2f}", flush=True)


scenes = sys.argv[1:2] or ["idle", "busy", "pipeline"]
for s in scenes:
    with scene_setting(s):
        run(s)
