"""Named products, the working tree against ``batchdot_old`` (see tree_ab.py) and NumPy's best
spelling, interleaved rounds (order alternating), medians.

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/cases_ab.py [--scene idle|busy|pipeline] CASE [CASE ...]

CASE: ``XSHAPE:YSHAPE:AXES:LAYOUT:DTYPE``, e.g. ``20,5,88:20,3,5,65:1,2:CC:float32``; LAYOUT
a letter per operand, ``T`` for a transposed view (axes 1 and 2 swapped in memory, as in
``unseen_sweep.py``), ``C`` for C order.  ``--scene`` (default idle): ``busy`` keeps one core busy with a spinning
process for the run, ``pipeline`` runs every call (of each side) right after ``np.matmul`` of
a (384, 384) float32 pair (its time included), as ``python -m batchdot bench``; for those
leave the thread counts at the machine's.
"""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, scene_setting
from spellings import alternated_us, einsum_spec, matmul_spelling

args = sys.argv[1:]
scene = "idle"
if args[:1] == ["--scene"]:
    scene, args = args[1], args[2:]
rng = np.random.default_rng(0)
mm_a = rng.standard_normal((384, 384), dtype=np.float32)
mm = lambda: np.matmul(mm_a, mm_a)  # noqa: E731
stack = scene_setting(scene)
stack.__enter__()
print(f"scene: {scene}")
for case in args:
    xs, ys, axes, lay, dt = case.split(":")
    xs, ys, axes = (tuple(int(v) for v in s.split(",")) for s in (xs, ys, axes))
    ops = []
    for shape, how in zip((xs, ys), lay):
        a = rng.standard_normal(shape).astype(dt)
        if how == "T":
            a = np.ascontiguousarray(np.swapaxes(a, 1, 2)).swapaxes(1, 2)
        ops.append(a)
    x, y = ops
    p = batchdot.plan(x.shape, y.shape, axes)
    spec = einsum_spec(x.ndim, y.ndim, *axes)
    fs = {"new": lambda: batchdot.batch_dot(x, y, axes), "old": lambda: batchdot_old.batch_dot(x, y, axes),
          "einsum": lambda: np.einsum(spec, x, y, optimize=True), "matmul": matmul_spelling(x, y, *axes, p.out_shape)}
    fs = {k: _in_scene(f, scene, mm) for k, f in fs.items()}
    m = alternated_us(fs, 31)
    best = min(m["einsum"], m["matmul"])
    print(f"{case:45s} new {m['new']:9.1f} us  old {m['old']:9.1f}  numpy {best:9.1f}  new/old speed "
          f"{m['old'] / m['new']:5.2f}  ratio new {best / m['new']:5.2f} old {best / m['old']:5.2f}", flush=True)
stack.__exit__(None, None, None)
