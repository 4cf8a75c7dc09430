"""First-build verification: every generated kernel is checked before a user's data reaches it.

The vector kernels are LLVM IR written by batchdot (``vector.py``), compiled per dtype
combination for every layout.  Each compiled kernel is run on a small random input of its
dtypes, in C order and in non-contiguous layouts (Fortran order where the family reads any
strides, a strided ``out``), and compared with a float64 (or exact integer) reference; a
kernel that fails is never used (the engine falls back to ``generic`` and logs a warning).
The test layouts are fixed: the verdict never depends on the layout of the call that asked.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from . import policy
from .choose import no_column_kernel
from .kernels import work_items
from .tiles import KC, MR1W, SWEEP_ROW_BYTES, SWEEP_ROWS
from .vector import OVERLAP_K, VECTOR_BYTES, short_k_max

log = logging.getLogger("batchdot")

_verified = {}
_verify_lock = threading.Lock()


def _values(dtype, shape, rng):
    """Random C-ordered values of ``dtype`` whose products and sums are checked exactly or tightly."""
    if dtype.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if dtype.kind == "c":  # small integer real and imaginary parts: exact
        return (rng.integers(-9, 10, shape) + 1j * rng.integers(-9, 10, shape)).astype(dtype)
    # small integers (and 0/1 for bool and unsigned): products and sums stay exact
    return rng.integers(0 if dtype.kind in "bu" else -9, 2 if dtype.kind == "b" else 10, shape).astype(dtype)


def _strided(v, fortran):
    """``v``'s values in a non-contiguous layout the family reads in place.

    ``fortran``: Fortran order (only where the family reads any strides); otherwise every
    other element of a twice-as-long axis 1 (axis 0 at rank 2), so that the last axis stays unit-stride (the
    vector loads of ``y``'s rows in ``tile`` and of the contracted axis in ``dot``/``rowdot``).
    """
    if fortran:
        return np.asfortranarray(v)
    axis = 0 if v.ndim == 2 else 1
    return np.repeat(v, 2, axis=axis)[(slice(None),) * axis + (slice(None, None, 2),)]


def _k_major(y, gaps=False):
    """``y``'s values (``(B, K, N)``) in a view whose contracted axis is unit-stride (``y``
    stored ``(B, N, K)``, :func:`.tiles.packs`); ``gaps``: every other row of a twice-as-long
    axis of them."""
    t = np.ascontiguousarray(y.transpose(0, 2, 1))
    if gaps:
        t = np.repeat(t, 2, axis=1)[:, ::2]
    return t.transpose(0, 2, 1)


def verify(family, kernel, parallel, x3, yk, out3, zero, variant=""):
    """Check a freshly built kernel against a reference on a small input.

    ``yk`` is the kernel's own second argument: ``(B, K, N)``, or ``(B, N, K)`` for ``dot``.
    The check runs the very kernel about to be used: the one compiled for these dtypes, which
    serves every layout (``jit.general_signature``).  Float results must
    lie within ``4 (K + 2) eps |x| |y|`` of float64 products; integer results must be exact.
    ``variant``: another span of the family (:func:`.kernels.family_kernels`: the dots' short
    rows against one row, the tiles' sweeps of rows and few-row tiles), verified apart from the
    first, on the products it takes too.
    """
    key = (family, parallel, x3.dtype, yk.dtype, out3.dtype, variant)
    ok = _verified.get(key)
    if ok is not None:
        return ok
    with _verify_lock:
        rng = np.random.default_rng(12345)
        B, M, K, N = 3, 11, 37, 45
        if family == "tile":  # two blocks of rows (64 + 6), the first large enough to fuse (tiles.FMA_INTENSITY)
            M = 70
        rows = family == "rowdot"  # rank-2 x, y (B, K) and out (B, 1)
        if rows:
            M = N = 1
        xshape = (B, K) if rows else (B, M, K)
        yshape = (B, K) if rows else ((B, N, K) if family == "dot" else (B, K, N))
        oshape = (B, 1) if rows else (B, M, N)
        xv, ykv = _values(x3.dtype, xshape, rng), _values(yk.dtype, yshape, rng)
        if family == "tile" and out3.dtype.kind in "fc" and x3.dtype == yk.dtype == out3.dtype:
            # batch element 1 near the overflow bound: the tiles take their separate products
            # and sums there (not fused multiply-adds), so both paths are checked
            # (complex: integer parts up to 9 and 2K products per real of out, a quarter of the scale)
            e = (np.finfo(out3.dtype).maxexp - 8) // 2 - (2 if out3.dtype.kind == "c" else 0)
            scale = np.ldexp(1.0, e).astype(out3.dtype)
            xv[1] *= scale
            ykv[1] *= scale
        # C order, then non-contiguous operands and a strided out: every layout the engine
        # passes runs the same compiled kernel, whatever the layout of the call that got here
        cases = [(xv, ykv, xv, ykv, np.zeros(oshape, out3.dtype), B, M, K, N),
                 (xv, ykv, _strided(xv, family in ("tile", "generic")), _strided(ykv, family == "generic"),
                  np.zeros(oshape[:-1] + (2 * oshape[-1],), out3.dtype)[..., ::2], B, M, K, N)]
        w = VECTOR_BYTES // max(out3.dtype.itemsize, 4)  # lanes of the sums
        if family == "tile" and variant == "rows":  # few-row tiles (vector.row_columns): one-row ones of 4
            # vectors, of 8 with a partial block, and 4-row ones of 4 vectors then a single row; one
            # of them with a non-contiguous x and a strided out
            for mr, nr in ((2, 3 * w + 1), (2, 8 * w + 3), (5, 4 * w + 3)):
                xr, yr = _values(x3.dtype, (B, mr, K), rng), _values(yk.dtype, (B, K, nr), rng)
                cases.append((xr, yr, xr, yr, np.zeros((B, mr, nr), out3.dtype), B, mr, K, nr))
            cases.append((xr, yr, _strided(xr, True), yr, np.zeros((B, mr, 2 * nr), out3.dtype)[..., ::2], B, mr, K, nr))
            # 40 x 40 elements: the next one's x and y read ahead (tiles.READ_FROM), element 1
            # near the overflow bound as above
            xr, yr = _values(x3.dtype, (B, 40, 40), rng), _values(yk.dtype, (B, 40, 40), rng)
            if out3.dtype.kind == "f" and x3.dtype == yk.dtype == out3.dtype:
                xr[1] *= scale
                yr[1] *= scale
            cases.append((xr, yr, xr, yr, np.zeros((B, 40, 40), out3.dtype), B, 40, 40, 40))
        if family == "tile":  # narrow tiles whose last rows run as one more tile over the block's
            # last rows (vector._row_tiles' overlap), then as single rows where K takes two blocks
            for kk in (OVERLAP_K, KC + 5):
                xr, yr = _values(x3.dtype, (B, 11, kk), rng), _values(yk.dtype, (B, kk, w - 3), rng)
                cases.append((xr, yr, xr, yr, np.zeros((B, 11, w - 3), out3.dtype), B, 11, kk, w - 3))
        if family == "tile" and variant == "narrow":  # half-width tiles, and the tall one-vector tiles
            # where x's rows are adjacent (x stored (B, K, M)), each with left-over rows
            for mr, nr in ((2 * MR1W + 3, w // 2 - 1), (2 * MR1W + 5, w - 1)):
                xr, yr = _values(x3.dtype, (B, mr, K), rng), _values(yk.dtype, (B, K, nr), rng)
                adjacent = np.ascontiguousarray(xr.transpose(0, 2, 1)).transpose(0, 2, 1)
                cases.append((xr, yr, xr, yr, np.zeros((B, mr, nr), out3.dtype), B, mr, K, nr))
                cases.append((xr, yr, adjacent, yr, np.zeros((B, mr, nr), out3.dtype), B, mr, K, nr))
        if family == "tile" and variant == "sweep":  # short K over long rows of out: sweeps of rows over every
            # column block (tiles.sweep_span), the last of a few rows, the last column block of one vector
            ns = -(-SWEEP_ROW_BYTES // out3.dtype.itemsize) + w // 2
            xr, yr = _values(x3.dtype, (2, 2 * SWEEP_ROWS + 3, 3), rng), _values(yk.dtype, (2, 3, ns), rng)
            cases.append((xr, yr, xr, yr, np.zeros((2, 2 * SWEEP_ROWS + 3, ns), out3.dtype), 2, 2 * SWEEP_ROWS + 3, 3, ns))
        if family == "tile" and variant != "rows" and out3.dtype.kind in "fiu":  # y stored (B, N, K), each
            # block transposed by the block kernel (tiles.packs): the first two cases so (with gaps
            # between y's rows in the second), and two blocks of K over a wide and a last one-vector block
            xr, yr = _values(x3.dtype, (2, 19, KC + 5), rng), _values(yk.dtype, (2, KC + 5, 2 * w + 3), rng)
            cases.append((xr, yr, xr, _k_major(yr), np.zeros((2, 19, 2 * w + 3), out3.dtype), 2, 19, KC + 5, 2 * w + 3))
            cases += [c[:3] + (_k_major(c[1], i == 1),) + c[4:] for i, c in enumerate(cases[:2])]
        if family == "dot":  # rows of out ending on an overlapping block of shared dots (dots.py), of
            # pairs of rows of x and of the last row alone (N = 45 above ends on half blocks)
            xr, yr = _values(x3.dtype, (B, 3, K), rng), _values(yk.dtype, (B, 15, K), rng)
            cases.append((xr, yr, xr, yr, np.zeros((B, 3, 15), out3.dtype), B, 3, K, 15))
        if rows and out3.dtype.kind != "c":  # short rows end to end, W at a time (vector.short_rows)
            for ks in (2, 3, short_k_max(w)):
                xs_, ys_ = _values(x3.dtype, (2 * w + 3, ks), rng), _values(yk.dtype, (2 * w + 3, ks), rng)
                cases.append((xs_, ys_, xs_, ys_, np.zeros((2 * w + 3, 1), out3.dtype), 2 * w + 3, 1, ks, 1))
        if family == "dot" and variant == "short":  # the dots' span for short rows end to end against one row
            # (vector.short_rows_one): rows of x against one column, rows of yt against each row of x
            for ks in (2, 3, short_k_max(w)):
                for m, n in ((2 * w + 3, 1), (2, w + 3)):
                    xs_, ys_ = _values(x3.dtype, (B, m, ks), rng), _values(yk.dtype, (B, n, ks), rng)
                    cases.append((xs_, ys_, xs_, ys_, np.zeros((B, m, n), out3.dtype), B, m, ks, n))
        if rows and not no_column_kernel(out3.dtype):  # rowdot down the columns (choose.by_columns):
            Bc = 2 * 64 + 3  # full and partial blocks of rows of Fortran-ordered operands
            xc, yc = _values(x3.dtype, (Bc, K), rng), _values(yk.dtype, (Bc, K), rng)
            cases.append((xc, yc, np.asfortranarray(xc), np.asfortranarray(yc), np.zeros((Bc, 1), out3.dtype), Bc, M, K, N))
        if family == "dot" and not no_column_kernel(out3.dtype) and not variant:  # (never on the short rows' span)
            # vector-matrix products down the columns (dots.dot_span), K over two blocks
            Bc, Kc = 2 * 64 + 3, 300
            xc, yc = _values(x3.dtype, (Bc, 1, Kc), rng), _values(yk.dtype, (Bc, N, Kc), rng)
            cases.append((xc, yc, np.asfortranarray(xc), np.asfortranarray(yc), np.zeros((Bc, 1, N), out3.dtype),
                          Bc, 1, Kc, N))
        ok = True
        for xv, ykv, x, y, out, b, m, k, n in cases:
            if parallel:  # on two threads, never beside another batchdot region
                policy.run_exclusive(kernel, 2, (x, y, out, zero, 4, 2))
            else:
                kernel(x, y, out, zero, 0, work_items(family, b, m, n))
            ok = ok and _close(family, xv, ykv, out, b, m, k, n)
        if not ok:
            log.warning("kernel %s failed verification for %s; using generic instead", family, key[2:])
        _verified[key] = ok
    return ok


def _close(family, xv, ykv, out, B, M, K, N):
    """Whether a kernel's ``out`` matches the reference product of ``xv`` and ``ykv``.

    Float results must lie within ``4 (K + 2) eps |x| |y|`` of float64 products; integer
    results must be exact (NumPy's integer matmul wraps like the kernels).
    """
    xm = xv.reshape(B, M, K)
    ym = ykv.reshape(B, N, K).transpose(0, 2, 1) if family in ("dot", "rowdot") else ykv
    got = out.reshape(B, M, N)
    if out.dtype.kind == "f":
        x64, y64 = xm.astype(np.float64), ym.astype(np.float64)
        bound = 4 * (K + 2) * np.finfo(out.dtype).eps * np.matmul(np.abs(x64), np.abs(y64))
        return bool(np.all(np.abs(got - np.matmul(x64, y64)) <= bound))
    return bool(np.array_equal(got, np.matmul(xm.astype(out.dtype), ym.astype(out.dtype))))
