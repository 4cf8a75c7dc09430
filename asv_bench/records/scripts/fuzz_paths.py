"""Random differential cases aimed at the engine's special paths, for a time budget.

    python asv_bench/records/scripts/fuzz_paths.py SEED SECONDS

Where ``fuzz_cases.py`` draws sizes from a list around the kernels' edges, this draws the
shapes the later paths take (``asv_bench/records/README.md``, 2026-12-07): short dot rows
against one row (K 1-10, one side a vector), sweeps of rows over a short K (K <= 16, rows of
``out`` of 2 KiB and more), narrow tiles with left-over rows (N <= 16, K >= 64), one-row-by-one-
column products of rank 3-4, ``q . k^T`` with ``y`` stored transposed over K near 16, free
axes on both sides of the contracted one, and log-uniform sizes otherwise.  Every layout of
batchdot.testing on each operand (a product of stacks of matrices also viewed transposed),
``out=`` in five layouts a third of the time, float32/float64 mostly, other dtypes and mixed
pairs now and then, inf/NaN now and then.  Prints one FAIL line per case outside the
reference's error bound, that raised, or that changed an input; then a count.
"""
import sys, time

import numpy as np

from batchdot import batch_dot
from batchdot.testing import LAYOUTS, assert_batch_dot_close, random_values, with_layout

OTHER = [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64, np.float16, np.complex64, np.complex128, np.bool_]
seed0, budget = int(sys.argv[1]), float(sys.argv[2])
t_end = time.time() + budget
n = fails = 0
seed = seed0


def logu(rng, lo, hi):
    return int(np.exp(rng.uniform(np.log(lo), np.log(hi + 1))))


def draw(rng):
    """(x shape, y shape, axes) of one of the path kinds."""
    kind = rng.integers(7)
    B = logu(rng, 1, 400)
    if kind == 0:  # short dot rows against one row
        K, M = int(rng.integers(1, 11)), logu(rng, 2, 300)
        if rng.random() < 0.5:
            return (B, M, K), (B, K), (2, 1)
        return (B, K), (B, M, K), (1, 2)
    if kind == 1:  # sweeps: short K, long rows of out
        K, M, N = int(rng.integers(1, 17)), logu(rng, 17, 200), logu(rng, 300, 1200)
        return (max(1, B // 20), M, K), (max(1, B // 20), K, N), (2, 1)
    if kind == 2:  # narrow tiles with left-over rows
        K, M, N = logu(rng, 60, 300), logu(rng, 17, 90), int(rng.integers(1, 17))
        return (B, M, K), (B, K, N), (2, 1)
    if kind == 3:  # one row by one column, rank 3-4
        K = logu(rng, 1, 300)
        xs = (B, 1, K) if rng.random() < 0.5 else (B, 1, 1, K)
        return xs, (B, K, 1), (len(xs) - 1, 1)
    if kind == 4:  # q . k^T, y stored (B, N, K)
        K, M, N = int(rng.integers(2, 40)), logu(rng, 1, 100), logu(rng, 2, 400)
        return (B, M, K), (B, N, K), (2, 2)
    if kind == 5:  # free axes on both sides of the contracted one
        A, K, C, N = logu(rng, 1, 12), logu(rng, 1, 100), logu(rng, 1, 12), logu(rng, 1, 60)
        return (B, A, K, C), (B, K, N), (2, 1)
    xr, yr = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    K = logu(rng, 1, 300)
    ax, ay = int(rng.integers(1, xr)), int(rng.integers(1, yr))
    xs = [B] + [logu(rng, 1, 60) for _ in range(xr - 1)]
    ys = [B] + [logu(rng, 1, 60) for _ in range(yr - 1)]
    xs[ax], ys[ay] = K, K
    return tuple(xs), tuple(ys), (ax, ay)


while time.time() < t_end:
    seed += 1
    rng = np.random.default_rng(seed)
    xs, ys, axes = draw(rng)
    if np.prod(xs) > 3_000_000 or np.prod(ys) > 3_000_000:
        continue
    if rng.random() < 0.75:
        dx = dy = [np.float32, np.float64][rng.integers(2)]
    else:
        dx = OTHER[rng.integers(len(OTHER))]
        dy = dx if rng.random() < 0.5 else [np.float32, np.float64, np.int32, np.complex64][rng.integers(4)]
    x, y = random_values(rng, xs, dx), random_values(rng, ys, dy)
    if x.dtype.kind in "fc" and x.size and rng.random() < 0.1:
        x.flat[rng.integers(x.size)] = rng.choice([np.inf, -np.inf, np.nan])
    x = with_layout(x, LAYOUTS[rng.integers(len(LAYOUTS))])
    y = with_layout(y, LAYOUTS[rng.integers(len(LAYOUTS))])
    xc, yc = x.copy(), y.copy()
    n += 1
    try:
        if rng.random() < 0.33:
            ref_shape = batch_dot(x[:1], y[:1], axes).shape[1:]
            out = with_layout(np.zeros((x.shape[0],) + ref_shape, np.result_type(x.dtype, y.dtype)),
                              ["C", "F", "strided", "negative", "transposed"][rng.integers(5)])
            r = batch_dot(x, y, axes, out=out)
            assert r is out
        else:
            r = batch_dot(x, y, axes)
        assert_batch_dot_close(r, x, y, axes)
        np.testing.assert_array_equal(x, xc)
        np.testing.assert_array_equal(y, yc)
    except Exception as e:
        fails += 1
        print(f"FAIL seed={seed} xs={xs} {x.dtype} {x.strides} ys={ys} {y.dtype} {y.strides} axes={axes}: "
              f"{type(e).__name__}: {str(e)[:300]}", flush=True)
print(f"done seeds {seed0 + 1}..{seed}: {n} cases, {fails} failures", flush=True)
