"""Products of one term over one element a batch element (K = M = N = 1: ``(B, 1) . (B, 1)``
row dots, ``(B, 1) . (B, 1, 1)``): batchdot as it stands against the same call forced through
``cpu._runner_scaled`` (``np.multiply`` of the canonical views) and NumPy's best of einsum and
``(x * y).sum``; one thread or two as the environment sets; medians of interleaved repeats.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/k1_single_elements.py [idle|busy|pipeline]"""
import sys

import numpy as np

from batchdot import batch_dot, plan
from batchdot import cpu
from batchdot._dtypes import resolve_dtypes
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting

rng = np.random.default_rng(0)
scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))  # the pipeline's matmul


def run():
    for B in (4, 16, 64, 256, 1024, 5383, 11549, 100000):
        for dt in (np.float32, np.float64, np.int64):
            for ys, axes in (((B, 1), 1), ((B, 1, 1), (1, 1))):
                x, y = (rng.standard_normal((B, 1)) * 9).astype(dt), (rng.standard_normal(ys) * 9).astype(dt)
                p = plan(x.shape, y.shape, axes)
                od, ad = resolve_dtypes(x.dtype, y.dtype, None)
                scaled = cpu._runner_scaled(p, od, ad)
                np.testing.assert_array_equal(scaled(x, y), batch_dot(x, y, axes))
                fns = [lambda: batch_dot(x, y, axes), lambda: scaled(x, y),
                       lambda: np.einsum("bk,bk->b", x, y.reshape(B, 1)), lambda: (x * y.reshape(B, 1)).sum(1)]
                ts = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 1.0)
                print(f"B {B:6d} {np.dtype(dt).name:8s} y {str(ys):12s} batchdot {ts[0] * 1e6:8.2f} us  multiply "
                      f"{ts[1] * 1e6:8.2f}  numpy {min(ts[2:]) * 1e6:8.2f}  multiply/batchdot speed {ts[0] / ts[1]:5.2f}",
                      flush=True)


with scene_setting(scene):
    run()
