"""Products with y stored (B, N, K) (``batch_dot(q, k, axes=(2, 2))``, attention scores q . k^T):
the working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py)
and NumPy's best of ``np.matmul(q, k.transpose(0, 2, 1))`` and ``einsum``, in the bench's three
scenes (idle; one core kept busy by a spinning process; each call right after ``np.matmul``
of a (384, 384) float32 pair), medians of interleaved repeats (``_median_interleaved``).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/prev2 python asv_bench/records/scripts/qkt_ab.py"""
import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, _median_interleaved, busy_core

rng = np.random.default_rng(0)
CASES = [(64, 128, 128, 64), (32, 256, 256, 64), (8, 512, 512, 64), (100, 64, 64, 256), (20, 96, 96, 1024),
         (200, 128, 32, 128)]
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))


def run(scene):
    print(f"scene {scene}", flush=True)
    for B, M, N, K in CASES:
        for dt in (np.float32, np.float64):
            q, k = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, N, K)).astype(dt)
            fns = [lambda: batchdot.batch_dot(q, k, (2, 2)), lambda: batchdot_old.batch_dot(q, k, (2, 2)),
                   lambda: np.matmul(q, k.transpose(0, 2, 1)), lambda: np.einsum("bmk,bnk->bmn", q, k, optimize=True)]
            ts = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 3.0)
            best = min(ts[2:])
            print(f"  ({B}, {M}, {K}) . ({B}, {N}, {K}) {np.dtype(dt).name:8s} new {ts[0] * 1e3:8.3f} ms  old "
                  f"{ts[1] * 1e3:8.3f}  numpy {best * 1e3:8.3f}  new/old speed {ts[1] / ts[0]:5.2f}  ratio new "
                  f"{best / ts[0]:5.2f} old {best / ts[1]:5.2f}", flush=True)


run("idle")
with busy_core():
    run("busy")
run("pipeline")
