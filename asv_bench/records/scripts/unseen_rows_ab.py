"""Rows of an unseen sweep taken again: the working tree against an earlier one (``batchdot_old``
on PYTHONPATH, as for tree_ab.py) in a scene, medians of interleaved repeats (order reversed
every other round).  A case: x shape, y shape, axes, layouts ("C", or "T": a view with axes 1
and 2 swapped of a C-ordered copy, as unseen_sweep.py draws them), dtype.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/unseen_rows_ab.py [scene [tail|short|shortk|narrow|rows|qkshort [DTYPE]]]
``tail``: products whose columns end on a block of at most ``W`` after two-vector blocks
(the one-vector last blocks of 2026-12-07 evening) instead of the sweep's rows.  ``short``:
dots over a short contracted axis against one row (seed 37's rows, 2026-12-07 19:00), and
vecmat, which keeps its span.  ``shortk``: tile products over at most 16 elements of K with
more than 16 rows (``tiles.SWEEP_K``), out written 16 rows at a time over every column block
(rows of at least 1 KiB from 19:20, of 2 KiB from 19:25, ``tiles.SWEEP_ROW_BYTES``).  A third
argument keeps the cases of one dtype.  ``narrow``: one-vector and half-width tile products
whose rows end with 2 or more rows after full tiles (run as one more tile over the last rows
since 2026-12-07 20:00), seed 37's swapped products among them, and one without such rows.
``rows``: one row by one column per batch element, operands not both rank 2 (the row dots
on their rank-2 views since 2026-12-07 20:15).  ``qkshort``: ``x (B, M, K) . y (B, N, K)`` over
fewer than 16 elements of K, no longer run as their transpose (``choose.SWAP_K``)."""
import sys

import numpy as np

import batchdot
import batchdot_old
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting

rng = np.random.default_rng(0)
scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))
CASES = [  # seed 23 rows that read lower after the evening's changes (-1727-unseen-s23-busy-fold.txt)
    ((9, 16, 5, 151), (9, 151, 296, 1), (3, 1), "CC", np.float64),
    ((1, 19, 64, 5), (1, 19, 20), (1, 1), "CT", np.float32),
    ((43, 129), (43, 129, 86), (1, 1), "CC", np.float64),
    ((225, 196, 10), (225, 10), (2, 1), "CC", np.float32),
    ((88, 2), (88, 54, 2), (1, 2), "CC", np.float32),
    ((48, 106, 5, 23), (48, 2, 5, 4), (2, 2), "CC", np.float32),
]
if len(sys.argv) > 2 and sys.argv[2] == "tail":
    CASES = [((8000, 24, 24), (8000, 24, 24), (2, 1), "CC", np.float64),
             ((2000, 32, 32), (2000, 32, 40), (2, 1), "CC", np.float32),
             ((2000, 32, 32), (2000, 32, 40), (2, 1), "CC", np.float64),
             ((1500, 48, 48), (1500, 48, 48), (2, 1), "CC", np.float32),
             ((3000, 24, 48), (3000, 48, 20), (2, 1), "CC", np.float64)]
if len(sys.argv) > 2 and sys.argv[2] == "short":
    CASES = [((353, 31, 42, 4), (353, 1, 4), (3, 2), "CC", np.float32),
             ((353, 31, 42, 4), (353, 1, 4), (3, 2), "TC", np.float64),
             ((3846, 5), (3846, 35, 5), (1, 2), "CC", np.float32),
             ((3846, 5), (3846, 35, 5), (1, 2), "CC", np.float64),
             ((408, 19, 8), (408, 8), (2, 1), "CC", np.float32),
             ((500, 2, 4), (500, 50, 4), (2, 2), "CC", np.float64),
             ((10000, 64), (10000, 32, 64), (1, 2), "CC", np.float32)]
if len(sys.argv) > 2 and sys.argv[2] == "shortk":
    CASES = [((13, 508, 2), (13, 2, 380), (2, 1), "CC", np.float32),
             ((13, 508, 2), (13, 2, 380), (2, 1), "CC", np.float64),
             ((100, 64, 2), (100, 2, 380), (2, 1), "CC", np.float64),
             ((13, 508, 8), (13, 8, 380), (2, 1), "CC", np.float64),
             ((400, 32, 4), (400, 4, 380), (2, 1), "CC", np.float32),
             ((300, 64, 16), (300, 16, 64), (2, 1), "CC", np.float64),
             ((1000, 64, 8), (1000, 8, 64), (2, 1), "CC", np.float32),
             ((600, 128, 12), (600, 12, 100), (2, 1), "CC", np.float32),
             ((13, 2, 2, 254), (13, 10, 2, 38), (2, 2), "CC", np.float64),
             ((13, 2, 2, 254), (13, 10, 2, 38), (2, 2), "CC", np.float32),
             ((200, 64, 4), (200, 4, 300), (2, 1), "CC", np.float64),
             ((50, 300, 16), (50, 16, 260), (2, 1), "CC", np.float32),
             ((20, 400, 4), (20, 4, 600), (2, 1), "CC", np.float32),
             ((40, 200, 12), (40, 12, 700), (2, 1), "CC", np.float32)]
if len(sys.argv) > 2 and sys.argv[2] == "narrow":
    CASES = [((208, 508, 5, 1), (208, 508, 22), (1, 1), "CT", np.float32),
             ((208, 508, 5, 1), (208, 508, 22), (1, 1), "CT", np.float64),
             ((73, 141, 90), (73, 21, 141), (1, 2), "CC", np.float32),
             ((73, 141, 90), (73, 21, 141), (1, 2), "CC", np.float64),
             ((2000, 13, 64), (2000, 64, 8), (2, 1), "CC", np.float32),
             ((3000, 11, 32), (3000, 32, 6), (2, 1), "CC", np.float64),
             ((500, 21, 300), (500, 300, 12), (2, 1), "CC", np.float32),
             ((2000, 16, 64), (2000, 64, 8), (2, 1), "CC", np.float32),
             ((3000, 11, 64), (3000, 64, 6), (2, 1), "CC", np.float64)]
if len(sys.argv) > 2 and sys.argv[2] == "rows":
    CASES = [((6628, 5), (6628, 5, 1, 1), (1, 1), "CC", np.float32),
             ((6628, 5), (6628, 5, 1, 1), (1, 1), "CC", np.float64),
             ((50000, 1, 3), (50000, 3, 1), (2, 1), "CC", np.float32),
             ((20000, 1, 64), (20000, 64), (2, 1), "CC", np.float64),
             ((3000, 300, 1), (3000, 1, 300), (1, 2), "CC", np.float32)]
if len(sys.argv) > 2 and sys.argv[2] == "qkshort":
    CASES = [((300, 20, 5), (300, 100, 5), (2, 2), "CC", np.float32),
             ((300, 20, 5), (300, 100, 5), (2, 2), "CC", np.float64),
             ((100, 16, 8), (100, 300, 8), (2, 2), "CC", np.float32),
             ((2000, 10, 3), (2000, 40, 3), (2, 2), "CC", np.float64),
             ((30, 100, 12), (30, 500, 12), (2, 2), "CC", np.float64),
             ((50, 64, 4), (50, 200, 4), (2, 2), "CC", np.float32)]
if len(sys.argv) > 3:  # only the cases of this dtype
    CASES = [c for c in CASES if np.dtype(c[-1]).name == sys.argv[3]]


def operand(shape, layout, dt):
    v = rng.standard_normal(shape).astype(dt)
    return np.ascontiguousarray(np.swapaxes(v, 1, 2)).swapaxes(1, 2) if layout == "T" else v


def run():
    print(f"scene {scene}", flush=True)
    for xs, ys, axes, lay, dt in CASES:
        x, y = operand(xs, lay[0], dt), operand(ys, lay[1], dt)
        np.testing.assert_allclose(batchdot.batch_dot(x, y, axes), batchdot_old.batch_dot(x, y, axes),
                                   rtol=1e-4, atol=1e-3)
        pair = [lambda: batchdot.batch_dot(x, y, axes), lambda: batchdot_old.batch_dot(x, y, axes)]
        ts = [0.0, 0.0]
        for order in (0, 1):  # each order once, summed
            fns = pair if order == 0 else pair[::-1]
            got = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 1.0)
            got = got if order == 0 else got[::-1]
            ts = [t + g for t, g in zip(ts, got)]
        print(f"  {str(xs):18s} . {str(ys):18s} {lay} {np.dtype(dt).name:8s} new {ts[0] / 2 * 1e6:9.1f} us  old "
              f"{ts[1] / 2 * 1e6:9.1f}  new/old speed {ts[1] / ts[0]:5.2f}", flush=True)


with scene_setting(scene):
    run()
