"""Random differential cases against batchdot.testing's reference, for a time budget.

    NUMBA_CACHE_DIR=$(mktemp -d) python asv_bench/records/scripts/fuzz_cases.py SEED SECONDS

Shapes with sizes around the kernels' edges (blocks of rows, K blocks of 256), ranks 2-4, every
dtype and mixed pairs, every layout of batchdot.testing (and Fortran-ordered rank-2 pairs half
of the time), inf/NaN values, dtype= targets, out= in five layouts, kernel= forced.  Prints one
FAIL line per case whose result is not within the reference's error bound, or that raised;
a forced kernel that cannot compute the case must raise "batch_dot requires ...".
"""
import numpy as np, sys, time, traceback
from batchdot import batch_dot, KERNELS
from batchdot.testing import assert_batch_dot_close, random_values, with_layout, LAYOUTS
DT = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
      np.float16, np.float32, np.float64, np.complex64, np.complex128]
SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 60, 61, 64, 65]
KS = SIZES + [127, 255, 256, 257, 300, 513]
seed0 = int(sys.argv[1]); budget = float(sys.argv[2])
t_end = time.time() + budget
n = fails = 0
seed = seed0
while time.time() < t_end:
    seed += 1
    rng = np.random.default_rng(seed)
    xr, yr = rng.integers(2, 5, size=2)
    batch = int(rng.choice(SIZES[:12]))
    k = int(rng.choice(KS))
    ax, ay = int(rng.integers(1, xr)), int(rng.integers(1, yr))
    xs = [batch] + [int(rng.choice(SIZES)) for _ in range(xr - 1)]
    ys = [batch] + [int(rng.choice(SIZES)) for _ in range(yr - 1)]
    xs[ax], ys[ay] = k, k
    if np.prod(xs) > 300_000 or np.prod(ys) > 300_000:
        continue
    fx = np.prod(xs) // max(1, batch * k) if batch and k else 1
    fy = np.prod(ys) // max(1, batch * k) if batch and k else 1
    if batch * fx * fy * max(k, 1) > 3_000_000:
        continue
    same = rng.random() < 0.5
    dx = DT[rng.integers(len(DT))]; dy = dx if same else DT[rng.integers(len(DT))]
    x = random_values(rng, tuple(xs), dx); y = random_values(rng, tuple(ys), dy)
    if x.dtype.kind in "fc" and rng.random() < 0.1 and x.size:
        x.flat[rng.integers(x.size)] = rng.choice([np.inf, -np.inf, np.nan])
    if np.dtype(dx).kind in "iu" and rng.random() < 0.3:
        x = (x % 7).astype(dx)  # small values too
    lx = LAYOUTS[rng.integers(len(LAYOUTS))]; ly = lx if rng.random() < 0.5 else LAYOUTS[rng.integers(len(LAYOUTS))]
    if xr == 2 and yr == 2 and rng.random() < 0.5: lx = ly = "F"
    x = with_layout(x, lx); y = with_layout(y, ly)
    axes = (ax, ay) if rng.random() < 0.7 else (ax - xr, ay - yr)
    kw = {}
    res_t = np.result_type(x.dtype, y.dtype)
    if rng.random() < 0.15:
        cands = [d for d in DT if np.can_cast(res_t, d, "same_kind") and np.dtype(d).itemsize >= res_t.itemsize]
        if cands:
            kw["dtype"] = cands[rng.integers(len(cands))]
    if rng.random() < 0.15:
        kw["kernel"] = KERNELS[rng.integers(len(KERNELS))]
    xc, yc = x.copy(), y.copy()
    n += 1
    try:
        if rng.random() < 0.2:
            ref = batch_dot(x, y, axes, **{k2: v for k2, v in kw.items() if k2 != "kernel"})
            out = with_layout(np.zeros(ref.shape, ref.dtype), ["C", "F", "strided", "negative", "transposed"][rng.integers(5)])
            r = batch_dot(x, y, axes, out=out, **kw)
            assert r is out
        else:
            r = batch_dot(x, y, axes, **kw)
        assert_batch_dot_close(r, x, y, axes, dtype=kw.get("dtype"))
        np.testing.assert_array_equal(x, xc); np.testing.assert_array_equal(y, yc)
    except ValueError as e:
        if "batch_dot requires" in str(e) and "kernel" in kw:
            continue
        fails += 1
        print(f"FAIL seed={seed} xs={xs} {x.dtype} ys={ys} {y.dtype} axes={axes} kw={kw}: {type(e).__name__}: {str(e)[:300]}", flush=True)
    except Exception as e:
        fails += 1
        print(f"FAIL seed={seed} xs={xs} {x.dtype} {x.strides} ys={ys} {y.dtype} {y.strides} axes={axes} kw={kw}: {type(e).__name__}: {str(e)[:300]}", flush=True)
print(f"done seeds {seed0}..{seed}: {n} cases, {fails} failures", flush=True)
