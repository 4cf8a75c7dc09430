"""The CPU kernel families, each forced on shapes around its edges, against the reference."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit, prange

from batchdot import _api, batch_dot, cpu
from batchdot.cpu import choose, dots, tiles, vector
from batchdot.cpu import kernels as _cpu
from batchdot.cpu.choose import by_columns, choose_kernel, l2_bytes
from batchdot.cpu.vector import absmax, times_i
from batchdot.cpu.verify import _verified
from batchdot.cpu.verify import verify as _verify
from batchdot.testing import assert_batch_dot_close, with_layout

FAMILIES = ["generic", "dot", "tile", "blas"]
EDGE_M = [1, 3, 4, 5, 8, 9, 17]
EDGE_N = [1, 7, 8, 9, 16, 31, 33]
EDGE_K = [1, 2, 15, 16, 17, 40]


#: (x dtype, y dtype, dtype=) of the edge-shape tests, and the families that compute each.
DTYPE_CASES = {
    "float32": (np.float32, np.float32, None, FAMILIES),
    "float64": (np.float64, np.float64, None, FAMILIES),
    "int8": (np.int8, np.int8, None, ["generic", "dot", "tile"]),
    "int32": (np.int32, np.int32, None, ["generic", "dot", "tile"]),
    "uint16": (np.uint16, np.uint16, None, ["generic", "dot", "tile"]),
    "float32,float64": (np.float32, np.float64, None, ["generic", "dot", "tile"]),
    "float32,int32": (np.float32, np.int32, None, ["generic", "dot", "tile"]),
    "int8:int32": (np.int8, np.int8, np.int32, ["generic", "dot", "tile"]),
    "float16": (np.float16, np.float16, None, ["generic", "dot", "tile"]),
    "complex64": (np.complex64, np.complex64, None, ["generic", "tile"]),
    "bool": (bool, bool, None, ["generic", "dot", "tile"]),
}


@pytest.mark.parametrize("case", list(DTYPE_CASES))
def test_family_on_edge_shapes(case):
    xd, yd, dtype, families = DTYPE_CASES[case]
    rng = np.random.default_rng(0)
    cases = list(itertools.product([1, 3], EDGE_M, EDGE_K, EDGE_N))
    for family in families:
        for i in rng.choice(len(cases), 40, replace=False):
            B, M, K, N = cases[i]
            x, y = _values(rng, (B, M, K), xd), _values(rng, (B, K, N), yd)
            assert_batch_dot_close(batch_dot(x, y, dtype=dtype, kernel=family), x, y, dtype=dtype)  # ints exact


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("layout", ["F", "transposed", "negative", "strided"])
def test_family_on_non_contiguous_operands(family, layout):
    rng = np.random.default_rng(1)
    for axes, xs, ys in [(None, (3, 9, 17), (3, 17, 33)), ((1, 1), (2, 16, 5), (2, 16, 12)),
                         ((2, 2), (4, 7, 19), (4, 9, 19)), (1, (6, 40), (6, 40))]:
        x = with_layout(rng.standard_normal(xs).astype(np.float32), layout)
        y = with_layout(rng.standard_normal(ys).astype(np.float32), layout)
        assert_batch_dot_close(batch_dot(x, y, axes, kernel=family), x, y, axes)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("family", ["generic", "dot", "tile"])
def test_parallel_split_matches(family, dtype):
    rng = np.random.default_rng(2)
    for xs, ys in [((64, 33, 20), (64, 20, 35)), ((1, 3, 700), (1, 700, 90)), ((5000, 1, 24), (5000, 24, 1))]:
        x, y = rng.standard_normal(xs).astype(dtype), rng.standard_normal(ys).astype(dtype)
        assert_batch_dot_close(batch_dot(x, y, kernel=family), x, y)


def test_automatic_choice():
    f32 = np.dtype(np.float32)
    x = np.empty((10, 1, 64), f32)
    yt = np.empty((10, 32, 64), f32).transpose(0, 2, 1)
    assert choose_kernel(10, 1, 64, 32, x, yt, f32, f32) == "dot"
    rows = np.empty((10, 64, 1), f32)
    assert choose_kernel(10, 1, 64, 1, x, rows, f32, f32, rank2=True) == "rowdot"
    assert choose_kernel(10, 1, 64, 1, x, rows, f32, f32, "dot", rank2=True) == "rowdot"
    x, y = np.empty((5, 8, 8), f32), np.empty((5, 8, 8), f32)
    assert choose_kernel(5, 8, 8, 8, x, y, f32, f32) == "tile"
    assert choose_kernel(5, 8, 8, 8, x, y, f32, f32, "tile") == "tile"
    big = 2 * l2_bytes() // 4  # y[b] of twice the L2 cache in float32: BLAS
    x, y = np.empty((2, 128, 128), f32), np.empty((2, 128, big // 128), f32)
    assert choose_kernel(2, 128, 128, big // 128, x, y, f32, f32) == "blas"
    assert choose_kernel(2, 128, 128, 128, x, y[:, :, :128], f32, f32) == "tile"  # y[b] in L2: tiles
    assert choose_kernel(2, 64, 128, big // 128, x[:, :64], y, f32, f32) == "tile"  # M < BLAS_MIN
    wide = np.empty((2, 256, 128), f32), np.empty((2, 128, 256), f32)  # y[b] of 128 KiB, M = N = BLAS_WIDE
    assert choose_kernel(2, 256, 128, 256, *wide, f32, f32) == "blas"
    assert choose_kernel(2, 255, 128, 256, wide[0][:, :255], wide[1], f32, f32) == "tile"
    assert choose_kernel(2, 256, 127, 256, wide[0][:, :, :127], wide[1][:, :127], f32, f32) == "tile"  # K < BLAS_MIN
    c8 = np.dtype(np.complex64)  # complex of one dtype: cgemm/zgemm as for real floats
    cwide = np.empty((2, 256, 128), c8), np.empty((2, 128, 256), c8)
    assert choose_kernel(2, 256, 128, 256, *cwide, c8, c8) == "blas"
    assert choose_kernel(2, 256, 127, 256, cwide[0][:, :, :127], cwide[1][:, :127], c8, c8) == "tile"
    assert choose_kernel(2, 256, 128, 256, cwide[0], cwide[1].real, c8, c8) == "generic"  # mixed: no BLAS
    i8 = np.dtype(np.int8)
    xi, yi = np.zeros((5, 8, 8), i8), np.zeros((5, 8, 8), i8)
    assert choose_kernel(5, 8, 8, 8, xi, yi, i8, np.dtype(np.int64)) == "tile"  # int8 sums wrap in the tile
    assert choose_kernel(5, 8, 8, 8, xi, yi, np.dtype(bool), np.dtype(np.int64)) == "generic"  # not a logical or
    xb, yb, b = np.zeros((5, 8, 8), bool), np.zeros((5, 8, 8), bool), np.dtype(bool)
    assert choose_kernel(5, 8, 8, 8, xb, yb, b, np.dtype(np.int64)) == "tile"  # logical product, counted
    c8 = np.dtype(np.complex64)
    xc, yc = np.zeros((5, 8, 8), c8), np.zeros((5, 8, 8), c8)
    assert choose_kernel(5, 8, 8, 8, xc, yc, c8, c8) == "tile"  # real tiles on real and imaginary parts
    assert choose_kernel(5, 8, 8, 8, xc, yi, c8, c8) == "generic"  # mixed complex
    assert choose_kernel(5, 1, 8, 8, xc[:, :1], yc, c8, c8) == "tile"  # a row: a one-row tile
    assert choose_kernel(5, 8, 8, 1, xi, yi[:, :, :1], i8, np.dtype(np.int64)) == "tile"
    assert choose_kernel(5, 1, 8, 1, xi[:, :1], yi[:, :, :1], i8, np.dtype(np.int64)) == "generic"  # one dot each
    rows = np.empty((5, 8, 16), f32)[:, :, :8]  # unit-stride rows, not C-contiguous: tile, no copy
    assert choose_kernel(5, 8, 8, 8, np.empty((5, 8, 8), f32), rows, f32, f32) == "tile"
    cols = np.empty((5, 8, 16), f32)[:, :, ::2]  # strided rows: tile on a staged copy of y
    assert choose_kernel(5, 8, 8, 8, np.empty((5, 8, 8), f32), cols, f32, f32) == "tile"
    # y stored transposed: the dots where rows of x are few (and K not short) or K long, else tiles on a copy
    for M, K, family in [(1, 4, "dot"), (3, 4, "tile"), (3, 8, "dot"), (41, 4, "tile"), (8, 8, "tile"), (8, 32, "dot"),
                         (41, 32, "tile"), (41, 128, "dot"), (63, 256, "dot"), (64, 256, "tile"), (128, 1024, "tile")]:
        x, yt = np.empty((9, M, K), f32), np.empty((9, 16, K), f32).transpose(0, 2, 1)
        assert choose_kernel(9, M, K, 16, x, yt, f32, f32) == family, (M, K)
    x, y = np.empty((9, 1, 1), f32), np.empty((9, 1, 16), f32)  # K == 1: a row times a column
    assert choose_kernel(9, 1, 1, 16, x, y.transpose(0, 1, 2), f32, f32) == "tile"
    big = l2_bytes() // 64 + 1  # y[b] larger than L2 stored transposed: BLAS from BLAS_TALL rows
    yt = np.empty((1, big, 16), f32).transpose(0, 2, 1)
    assert choose_kernel(1, 8, 16, big, np.empty((1, 8, 16), f32), yt, f32, f32) == "blas"
    assert choose_kernel(1, 7, 16, big, np.empty((1, 7, 16), f32), yt, f32, f32) == "tile"
    # y stored (B, N, K) (q . k^T) within L2: BLAS from DOT_ROWS_MANY rows, BLAS_TRANSPOSED_SIDE
    # columns and more than BLAS_TRANSPOSED multiply-adds, float32/float64 only
    rows, side = choose.DOT_ROWS_MANY, choose.BLAS_TRANSPOSED_SIDE
    K = choose.BLAS_TRANSPOSED // ((rows - 1) * (side - 1)) + 2  # past the bound with a row or column less

    def qkt(M, N, K, dt=f32):
        return np.empty((2, M, K), dt), np.empty((2, N, K), dt).transpose(0, 2, 1)

    assert K * side * 4 < l2_bytes() and choose_kernel(2, rows, K, side, *qkt(rows, side, K), f32, f32) == "blas"
    assert choose_kernel(2, rows, K, side, *qkt(rows, side, K, np.float64), np.float64, np.float64) == "blas"
    assert rows * side * (K - 1) > choose.BLAS_TRANSPOSED
    k0 = choose.BLAS_TRANSPOSED // (rows * side)  # rows * side * k0 <= BLAS_TRANSPOSED: not more
    assert choose_kernel(2, rows, k0, side, *qkt(rows, side, k0), f32, f32) != "blas"
    assert choose_kernel(2, rows - 1, K, side, *qkt(rows - 1, side, K), f32, f32) != "blas"  # rows for the dots
    assert choose_kernel(2, rows, K, side - 1, *qkt(rows, side - 1, K), f32, f32) != "blas"  # too few columns
    c8 = np.dtype(np.complex64)
    assert choose_kernel(2, rows, K, side, *qkt(rows, side, K, c8), c8, c8) != "blas"  # complex: not measured
    x8 = np.empty((2, rows, K), f32)
    assert choose_kernel(2, rows, K, side, x8, np.empty((2, K, side), f32), f32, f32) == "tile"  # y stored (B, K, N)
    yi = np.zeros((2, side, K), np.int32).transpose(0, 2, 1)
    assert choose_kernel(2, rows, K, side, x8, yi, f32, f32) != "blas"  # mixed: no BLAS here


@pytest.mark.parametrize("pair", [("float32", "float64", None), ("float32", "float32", "float64"),
                                  ("int32", "float32", None), ("bool", "float64", None), ("int8", "uint16", "float32")])
def test_blas_sized_mixed_products_are_cast_then_run_on_blas(pair, monkeypatch):
    """Operands of other real dtypes than a float32/float64 result (mixed, dtype= widening,
    integers, bool) of a BLAS-sized product go to BLAS, which casts them to the result dtype
    a group at a time (choose.cast_for_blas); the results match the float64 reference as
    BLAS's do, and a product too small for BLAS stays on the tiles' convert-on-load."""
    xd, yd, dtype = pair
    seen = []
    real_prepare = cpu.prepare

    def spy(family, x3, yk, out3, acc_dtype, forced=False):
        seen.append((family, x3.dtype, yk.dtype))
        return real_prepare(family, x3, yk, out3, acc_dtype, forced)

    monkeypatch.setattr(cpu, "prepare", spy)
    rng = np.random.default_rng(3)
    K = 131 + len(xd) + 3 * len(yd)  # shapes of this test only: each runner is built here
    x = (rng.standard_normal((2, 256, K)) * 4).astype(xd)
    y = (rng.standard_normal((2, K, 260)) * 4).astype(yd)
    want = np.matmul(x.astype(np.float64), y.astype(np.float64))
    res = np.dtype(dtype or np.result_type(xd, yd))
    for xx, family in ((x, "blas"), (x[:, :100], "tile")):
        seen.clear()
        got = batch_dot(xx, y, dtype=dtype)
        assert got.dtype == res
        assert seen[0] == (family, x.dtype, y.dtype)  # (BLAS may hand over to tiles while a core is busy)
        rtol = 1e-5 if got.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, want[:, : xx.shape[1]], rtol=rtol, atol=rtol * 1e3)


@pytest.mark.parametrize("pair", [("float32", "float64", None), ("float32", "float32", "float64"),
                                  ("int32", "float64", None)])
def test_mixed_blas_products_handed_to_the_tiles_are_cast_a_group_at_a_time(pair, monkeypatch):
    """While other processes keep a core busy (policy.others_busy), a BLAS-sized product of
    mixed operands runs on the tiles on groups of batch elements cast to the result dtype,
    in buffers whose rows start on cache lines; the values match the float64 reference."""
    xd, yd, dtype = pair
    seen = []
    real_prepare = cpu.prepare

    def spy(family, x3, yk, out3, acc_dtype, forced=False):
        seen.append((family, x3.dtype, yk.dtype, cpu.on_lines(yk)))
        return real_prepare(family, x3, yk, out3, acc_dtype, forced)

    monkeypatch.setattr(cpu, "prepare", spy)
    monkeypatch.setattr(cpu.policy, "others_busy", lambda: True)
    rng = np.random.default_rng(5)
    K = 257 + len(xd) + 3 * len(yd)  # shapes of this test only
    x = (rng.standard_normal((3, 256, K)) * 4).astype(xd)
    y = (rng.standard_normal((3, K, 260)) * 4).astype(yd)[:, :, 1:257]  # rows off cache lines
    got = batch_dot(x, y, dtype=dtype)
    res = np.dtype(dtype or np.result_type(xd, yd))
    assert got.dtype == res
    cast_y = np.dtype(yd) != res  # a cast y is read from the lined buffer; y itself as it is,
    # unless the tiles copy it onto cache lines themselves (cpu.realigns: a batch element of y
    # filling half of L2, as on a 1 MiB L2)
    lined = cast_y or cpu.realigns("tile", x.shape[1], K, y.shape[2], res.itemsize, False)
    assert seen[0][0] == "blas" and seen[1:] and all(s[:3] == ("tile", res, res) for s in seen[1:]), seen
    assert all(s[3] for s in seen[1:]) if lined else not any(s[3] for s in seen[1:]), seen
    rtol = 1e-5 if res == np.float32 else 1e-12
    np.testing.assert_allclose(got, np.matmul(x.astype(np.float64), y.astype(np.float64)), rtol=rtol, atol=rtol * 1e3)


@pytest.mark.parametrize("case", ["rows", "transposed beyond L2", "transposed within L2", "strided beyond L2"])
def test_blas_products_stay_on_blas_with_a_core_busy_where_the_tiles_would_copy_a_large_y(case, monkeypatch):
    """With a core busy, BLAS products go to the tiles where the tiles read ``y`` in place (rows
    of ``y`` unit-stride, or ``y`` stored transposed, which they transpose a block at a time:
    ``tiles.packs``), or copy a ``y`` whose batch elements fit in L2; a larger ``y`` that
    they would copy first (neither axis unit-stride) stays on BLAS."""
    monkeypatch.setattr(cpu.policy, "others_busy", lambda: True)
    rng = np.random.default_rng(18)
    n = l2_bytes() // (4 * 200) + 1  # y[b] larger than L2 in float32
    if case == "transposed within L2":
        n = choose.BLAS_TRANSPOSED // (64 * 200) + 3
        assert n * 200 * 4 < l2_bytes()
    x = rng.standard_normal((1, 256 if case == "rows" else 64, 200)).astype(np.float32)
    if case == "rows":
        y = rng.standard_normal((1, 200, max(n, 256))).astype(np.float32)
    elif case == "strided beyond L2":
        y = rng.standard_normal((1, n, 400)).astype(np.float32)[:, :, ::2].transpose(0, 2, 1)
    else:
        y = rng.standard_normal((1, n, 200)).astype(np.float32).transpose(0, 2, 1)
    before = cpu.policy.state.to_tiles
    got = batch_dot(x, y)
    assert _family_used(x, y) == "blas"
    assert cpu.policy.state.to_tiles == before + (0 if case == "strided beyond L2" else 1)
    np.testing.assert_allclose(got, np.matmul(x.astype(np.float64), y.astype(np.float64)), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("layout", ["C", "F", "transposed", "strided", "reversed", "empty"])
@pytest.mark.parametrize("start", [0, 3])
def test_blas_bound_is_the_largest_magnitude_nan_and_inf_kept(start, layout, dtype):
    """cpu._magnitude, the bound that lets BLAS fuse multiply-adds: the largest magnitude of the
    reals (of the real and imaginary parts: what each real product is made of).  An operand
    that fills its memory in some order of its axes (C, F, a transposed view; any start
    against a vector boundary) is read as that memory by vector.magnitude, others (strided,
    reversed) by NumPy; every element counts, NaN gives NaN and inf gives inf (such groups go
    to the tiles); the huge values around each view in its buffer are never read."""
    rng = np.random.default_rng(7)
    shape = (3, 40, 30)
    n = int(np.prod(shape))
    flat = np.full(2 * n + 64, 1e30, dtype)  # a view of n (or 2n, strided) elements inside it
    lo = 16 + start

    def view(data):
        if layout in ("C", "transposed"):
            flat[lo:lo + n] = data.reshape(-1)
            a = flat[lo:lo + n].reshape(shape)
            return a if layout == "C" else a.transpose(0, 2, 1)
        if layout == "F":
            flat[lo:lo + n] = data.reshape(-1, order="F")
            return flat[lo:lo + n].reshape(shape, order="F")
        if layout == "strided":
            flat[lo:lo + 2 * n:2] = data.reshape(-1)
            return flat[lo:lo + 2 * n:2].reshape(shape)
        if layout == "reversed":
            flat[lo:lo + n] = data.reshape(-1)[::-1]
            return flat[lo:lo + n][::-1].reshape(shape)
        return flat[lo:lo].reshape(3, 40, 0)

    data = rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        data = data + 1j * (3 * rng.standard_normal(shape)).astype(dtype)
    data[1, 2, 3] = data[1, 2, 3] * 0 - 9.5  # a known largest magnitude (a real part)
    a = view(data)
    assert layout not in ("C", "F", "transposed") or a.flags.c_contiguous or a.flags.f_contiguous \
        or a.transpose(0, 2, 1).flags.c_contiguous
    parts = (a,) if np.dtype(dtype).kind == "f" else (a.real, a.imag)
    want = max(float(np.abs(p).max()) for p in parts) if a.size else 0.0
    assert cpu._magnitude(a) == want
    if a.size:
        for bad, expect in ((np.inf, np.inf), (-np.inf, np.inf), (np.nan, np.nan)):
            spoilt = data.copy()
            if np.dtype(dtype).kind == "c":
                spoilt[2, 39, 29] = complex(1, bad)  # in the imaginary part only
            else:
                spoilt[2, 39, 29] = bad
            got = cpu._magnitude(view(spoilt))
            assert np.isnan(got) if np.isnan(expect) else got == expect, (bad, got)


def test_blas_bound_covers_the_sums_not_only_the_products(monkeypatch):
    """A group whose products are all below half the largest float but whose K of them could
    sum past it is computed by the tiles, not by BLAS's fused multiply-adds."""
    seen = []
    real_execute = cpu.execute
    monkeypatch.setattr(cpu, "execute", lambda *a, **k: seen.append(a[3]) or real_execute(*a, **k))
    K = 300
    big = float(np.finfo(np.float32).max)
    x = np.full((1, 4, K), np.sqrt(big / 8), np.float32)  # products big / 8: K of them sum past big
    y = np.full((1, K, 4), np.sqrt(big / 8), np.float32)
    out = np.empty((1, 4, 4), np.float32)
    cpu._blas(x, y, out)
    assert seen, "the group went to BLAS"
    assert np.isinf(out).all()
    seen.clear()
    cpu._blas(x / 1e6, y, out)  # far below: BLAS
    assert not seen


def test_cast_for_blas_takes_exact_widenings_to_a_float_result_only():
    from batchdot.cpu.choose import cast_for_blas

    f4, f8, i8 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)
    assert cast_for_blas(f4, f8, f8, f8, 512, 512, 512, 1 << 20)
    assert cast_for_blas(f4, f4, f8, f8, 512, 512, 512, 1 << 20)  # dtype=float64
    assert cast_for_blas(i8, f8, f8, f8, 512, 512, 512, 1 << 20)  # NumPy's own promotion casts int64 so
    assert not cast_for_blas(f8, f8, f8, f8, 512, 512, 512, 1 << 20)  # nothing to cast: BLAS as it is
    assert not cast_for_blas(f8, f8, f4, f4, 512, 512, 512, 1 << 20)  # dtype=float32: a narrowing cast
    assert not cast_for_blas(f4, f8, f8, np.dtype(np.longdouble), 512, 512, 512, 1 << 20)
    assert not cast_for_blas(i8, i8, i8, i8, 512, 512, 512, 1 << 20)  # integer results stay exact
    assert not cast_for_blas(f4, f8, f8, f8, 512, 127, 512, 1 << 20)  # too small for BLAS
    assert not cast_for_blas(f4, f8, f8, f8, 128, 128, 128, 1 << 20)  # y[b] in L2 and not wide: tiles
    assert cast_for_blas(f4, f8, f8, f8, 128, 128, 2048, 1 << 20)  # y[b] beyond L2


def test_forcing_a_kernel_that_cannot_compute_the_dtypes_is_an_error():
    with pytest.raises(TypeError, match="kernel='dot'"):
        batch_dot(np.ones((2, 3, 3), np.complex64), np.ones((2, 3, 3), np.float32), kernel="dot")
    with pytest.raises(TypeError, match="kernel='blas'"):
        batch_dot(np.ones((2, 3, 3), np.int32), np.ones((2, 3, 3), np.int32), kernel="blas")
    with pytest.raises(TypeError, match="kernel='tile'"):
        batch_dot(np.ones((2, 3, 3), np.complex64), np.ones((2, 3, 3), np.float32), kernel="tile")
    with pytest.raises(ValueError, match="kernel to be one of"):
        batch_dot(np.ones((2, 3, 3)), np.ones((2, 3, 3)), kernel="fast")
    with pytest.raises(ValueError, match="kernel to be one of"):
        batch_dot(np.ones((2, 3, 3)), np.ones((2, 3, 3)), kernel=["tile"])  # unhashable
    with pytest.raises(ValueError, match="kernel='rowdot'"):
        batch_dot(np.ones((2, 3, 3)), np.ones((2, 3, 3)), kernel="rowdot")


def test_kernel_accepts_exactly_the_public_families():
    from batchdot.cpu.choose import KERNELS

    rng = np.random.default_rng(11)
    x, y = rng.standard_normal((3, 7)), rng.standard_normal((3, 7))
    for family in KERNELS:  # every listed family runs (rank-2 float operands suit them all)
        assert_batch_dot_close(batch_dot(x, y, 1, kernel=family), x, y, 1)


@njit(parallel=True)
def _users_function(x, y, out):
    for b in prange(x.shape[0]):
        tiles.tile_span(x, y, out, 0.0, b, b + 1)  # one work item per batch element here
    _cpu.generic_span(x, y, out, 0.0, 0, 0)  # an empty span composes too


def test_kernels_compose_in_users_parallel_function():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((6, 8, 5)), rng.standard_normal((6, 5, 8))
    out = np.zeros((6, 8, 8))
    _users_function(x, y, out)
    np.testing.assert_allclose(out, x @ y, rtol=1e-12)


@njit
def _wrong_span(x, y, out, zero, lo, hi):
    for b in range(x.shape[0]):
        for i in range(x.shape[1]):
            for j in range(y.shape[2]):
                out[b, i, j] = 1.0


def test_verification_rejects_a_wrong_kernel():
    x, y, out = np.ones((2, 3, 4)), np.ones((2, 4, 5)), np.zeros((2, 3, 5))
    _verified.clear()  # a verdict cached by an earlier test would hide this one
    try:
        assert not _verify("tile", _wrong_span, False, x, y, out, 0.0)
        assert _verify("generic", _cpu.generic_span, False, x, y, out, 0.0)
    finally:
        _verified.clear()  # the wrong kernel's verdict must not outlive this test


def _family_used(x, y, axes=None, kernel=None):
    return _api._RUNNERS[_api._runner_key(x, y, axes, None, kernel)].family


@pytest.mark.parametrize("pair", [("float16", "float16"), (">f8", ">f8"), (">f4", "float32"), ("float64", ">i4"),
                                  (">c8", ">c8"), (">i2", ">i2"), ("float16", ">f8")])
def test_large_cast_row_dots_run_a_group_of_rows_at_a_time(pair, monkeypatch):
    """Row dots of operands the kernels take cast (float16, non-native byte order), large
    enough (CAST_ROWS_MIN), cast a group of rows at a time into buffers (halves.convert_into)
    and run on those: every group and the last, partial one agree with the reference, with
    and without out= (any layout), a float16 result narrowed at the end; Fortran-ordered cast
    operands and small calls keep the whole cast copy."""
    monkeypatch.setattr(cpu, "CAST_ROWS_MIN", 1 << 12)  # small arrays exercise the groups
    monkeypatch.setattr(cpu, "CAST_ROWS_BYTES", 1 << 10)
    monkeypatch.setattr(_api, "_RUNNERS", {})
    rng = np.random.default_rng(31)
    xd, yd = pair
    for B, K in [(300, 17), (1000, 5), (7, 400)]:
        x, y = _values(rng, (B, K), xd), _values(rng, (B, K), yd)
        got = batch_dot(x, y, 1)
        assert_batch_dot_close(got, x, y, 1)
        run = _api._RUNNERS[_api._runner_key(x, y, 1, None, None)]
        rows = max(1, cpu.CAST_ROWS_BYTES // (K * max(cpu.kernel_dtype(x.dtype).itemsize, cpu.kernel_dtype(y.dtype).itemsize)))
        assert run.family == "rowdot" and run.calls == -(-B // min(rows, B)) > 1, (B, K, run.calls)
        for layout in ["C", "strided", "negative"]:
            out = with_layout(np.zeros(got.shape, got.dtype), layout)
            assert batch_dot(x, y, 1, out=out) is out
            np.testing.assert_array_equal(out, got)
        xf = np.asfortranarray(x)  # a cast operand whose rows are not one run: the whole cast copy
        assert_batch_dot_close(batch_dot(xf, y, 1), xf, y, 1)
        assert _api._RUNNERS[_api._runner_key(xf, y, 1, None, None)].calls == 1
    tiny = _values(rng, (3, 4), xd)
    assert_batch_dot_close(batch_dot(tiny, tiny, 1), tiny, tiny, 1)
    assert _api._RUNNERS[_api._runner_key(tiny, tiny, 1, None, None)].calls == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.int32, np.uint16, bool])
def test_rowdot_takes_rank2_operands_as_they_are(dtype):
    rng = np.random.default_rng(4)
    for B, K in itertools.product([1, 3, 5000], EDGE_K):
        wide = _values(rng, (B, 2 * K + 3), dtype)
        cases = [wide[:, :K], wide[::-1, 3:K + 3], np.ascontiguousarray(wide[:, :K])]
        y = _values(rng, (B, K), dtype)
        y.flags.writeable = False
        for x in cases:
            got = batch_dot(x, y, 1)
            assert_batch_dot_close(got, x, y, 1)
            single = K == 1 and B >= choose.K1_SINGLE_MIN and np.dtype(dtype).kind != "c"  # np.multiply
            assert got.shape == (B, 1) and _family_used(x, y, 1) == ("multiply" if single else "rowdot")
    x = rng.standard_normal((6, 40)).astype(dtype)
    assert_batch_dot_close(batch_dot(x, x[:, ::-1], 1), x, x[:, ::-1], 1)
    assert _family_used(x, x[:, ::-1], 1) != "rowdot"  # contracted axis not contiguous in y


def test_cached_runners_follow_writeability_and_alignment():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((7, 33)), rng.standard_normal((7, 33))
    ro = x.copy()
    ro.flags.writeable = False
    raw = np.zeros(x.nbytes + 1, np.uint8)[1:]  # a float64 array at an odd address
    unaligned = np.ndarray(x.shape, x.dtype, buffer=raw)
    unaligned[...] = x
    assert not unaligned.flags.aligned
    for a in (x, ro, unaligned, x):
        assert_batch_dot_close(batch_dot(a, y, 1), x, y, 1)


def test_rowdot_falls_back_to_generic_when_verification_fails(monkeypatch):
    monkeypatch.setattr(cpu, "verify", lambda family, *args: family != "rowdot")
    monkeypatch.setattr(_api, "_RUNNERS", {})
    monkeypatch.setattr(cpu, "_PREPARED", {})
    rng = np.random.default_rng(6)
    for B in (3, 5000):
        x, y = rng.standard_normal((B, 20)), rng.standard_normal((B, 20))[:, ::-1].copy()
        assert_batch_dot_close(batch_dot(x, y, 1), x, y, 1)
        assert_batch_dot_close(batch_dot(x, y, 1), x, y, 1)  # the cached runner too


@pytest.mark.parametrize("layout", ["F", "strided", "negative", "transposed"])
def test_verification_verdict_does_not_depend_on_the_first_calls_layout(monkeypatch, layout):
    """Every family passes its check whatever the layout of the call that triggered it.

    A Fortran-ordered row dot (the tiles with N = 1, y not staged) once failed the check,
    which copied the call's layout onto a test ``y`` whose rows were then not unit-stride:
    the tiles were then replaced by ``generic`` for that dtype in the whole process.
    """
    monkeypatch.setattr(cpu, "_PREPARED", {})
    monkeypatch.setattr(_api, "_RUNNERS", {})
    _verified.clear()
    rng = np.random.default_rng(21)
    cases = (((40, 9), (40, 9), 1), ((5, 1, 7), (5, 7, 1), None), ((5, 6, 7), (5, 7, 3), None),
             ((5, 6, 7), (5, 3, 7), (2, 2)))
    try:
        for dtype in (np.float32, np.float64, np.int32, np.complex64, bool):
            for xs, ys, axes in cases:
                x, y = _values(rng, xs, dtype), _values(rng, ys, dtype)
                got = batch_dot(with_layout(x, layout), with_layout(y, layout), axes)
                assert_batch_dot_close(got, x, y, axes)
        assert _verified and all(_verified.values()), [k for k, ok in _verified.items() if not ok]
    finally:
        _verified.clear()


def _values(rng, shape, dtype):
    """Random values of ``dtype``: about 4 in magnitude, complex parts both set, bool one in six."""
    v = rng.standard_normal(shape) * 4
    if np.dtype(dtype).kind == "c":
        v = v + 4j * rng.standard_normal(shape)
    return (v > 4) if dtype is bool else v.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int32])
def test_dots_on_every_count_of_left_over_columns(dtype):
    """Rows of ``out`` of 1 to ``3 * DOTS`` columns on the dots: blocks of ``DOTS`` shared dots,
    then an overlapping last block, a half block or single dots (``cpu.dots``), for one row of
    ``x``, a pair of rows, and a pair then a row alone; in a strided ``out`` too, whose
    elements between and after the result's stay untouched.  The kernels passed their
    first-build verification (else the calls ran ``generic``)."""
    rng = np.random.default_rng(7)
    for M in (1, 2, 3):
        for N in range(1, 3 * dots.DOTS + 1):
            x, y = _values(rng, (2, M, 20), dtype), _values(rng, (2, N, 20), dtype)
            assert_batch_dot_close(batch_dot(x, y, (2, 2), kernel="dot"), x, y, (2, 2))
            full = np.zeros((2, M, 2 * N + 2 * dots.DOTS), batch_dot(x[:1, :1], y[:1, :1], (2, 2)).dtype)
            assert_batch_dot_close(batch_dot(x, y, (2, 2), out=full[:, :, :2 * N:2], kernel="dot"), x, y, (2, 2))
            beside = np.ones(full.shape, bool)
            beside[:, :, :2 * N:2] = False
            assert not full[beside].any(), (M, N)
    assert all(ok for key, ok in _verified.items() if key[0] == "dot")


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int8, np.uint16, np.complex64,
                                   np.complex128, bool])
def test_tiles_on_edges_layouts_and_k_blocks(dtype):
    """Narrow and wide tiles, partial tiles, K across blocks, any layout of x, y and out."""
    rng = np.random.default_rng(12)
    shapes = [(8, 1, 8), (8, 8, 8), (6, 5, 16), (13, 17, 33), (2, tiles.KC + 3, 9), (1, 2 * tiles.KC, 40),
              (tiles.ROWS + 5, 3, 7), (5, 2 * tiles.KC + 1, 1),
              (29, 40, 24), (tiles.ROWS + 5, 16, 9),  # elements of 4-16 KiB: the next one prefetched
              (tiles.ROWS + 5, 6, 40),
              # ... by fused tiles inside their K loop; with more lines a tile than K steps; in
              # a partial column block (before its tiles)
              (32, 32, 32), (16, 4, 64), (40, 40, 36),
              # one-row tiles (vector.row_columns): 4 vectors (float64 17 columns), 8 and a
              # partial block, K across blocks, full blocks of 8 vectors
              (1, 7, 17), (3, 5, 100), (2, tiles.KC + 3, 64), (2, 9, 256),
              # 4-row tiles of 4 vectors, then a single row (4 and 5 rows)
              (4, 9, 70), (5, tiles.KC + 2, 33)]
    for (M, K, N), B in itertools.product(shapes, [1, 3]):
        x, y = _values(rng, (B, M, K), dtype), _values(rng, (B, K, N), dtype)
        for layout in ("C", "F", "negative", "strided"):
            xl, yl = with_layout(x, layout), with_layout(y, layout)
            got = batch_dot(xl, yl, kernel="tile")
            assert_batch_dot_close(got, x, y)
            if dtype is bool:
                np.testing.assert_array_equal(got, np.matmul(x, y), strict=True)
            if K > 1 and N > 1 and M > 1:  # the automatic choice takes the tiles too
                assert_batch_dot_close(batch_dot(xl, yl), x, y)
                assert _family_used(xl, yl) in ("tile", "dot")
            out = with_layout(np.zeros((B, M, N), dtype), layout)
            assert batch_dot(xl, yl, out=out, kernel="tile") is out
            assert_batch_dot_close(out, x, y)
    # every kernel built passed its first-build check (a failing one is replaced by generic,
    # whose results would hide it above)
    assert all(_verified.values()), [k for k, ok in _verified.items() if not ok]


@pytest.mark.parametrize("K", [tiles.BOOL_KC - 1, tiles.BOOL_KC, tiles.BOOL_KC + 1, tiles.BOOL_KC + tiles.KC + 7, 1000])
def test_bool_products_stop_only_where_every_element_is_true(K):
    """Bool tiles stop summing after a block of K that leaves every element of their block
    true: dense and sparse operands, and rows whose only true product comes after the first
    block while every other row of the tile is already true, equal NumPy's matmul."""
    rng = np.random.default_rng(16)
    for density in (0.5, 0.05):
        x, y = rng.random((3, 20, K)) < density, rng.random((3, K, 40)) < density
        for layout in ("C", "F"):
            np.testing.assert_array_equal(batch_dot(with_layout(x, layout), with_layout(y, layout), kernel="tile"),
                                          np.matmul(x, y), strict=True)
    x, y = np.ones((2, 20, K), bool), np.ones((2, K, 40), bool)
    x[:, -1, :] = False  # the last row: one true product, in the last column of K
    x[:, -1, -1] = True
    y[:, -1, 7] = False  # ... except in column 7
    got = batch_dot(x, y, kernel="tile")
    np.testing.assert_array_equal(got, np.matmul(x, y), strict=True)
    assert not got[:, -1, 7].any() and got[:, -1, :7].all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int8, np.complex64, bool])
def test_partial_tiles_write_only_their_own_columns(dtype):
    """The last columns of a block (partial tiles: masked vector stores on AVX-512) write
    exactly ``out``'s columns: a row's neighbours in memory, outside ``out``, keep their
    values, on the first block of K and on the blocks added to it."""
    rng = np.random.default_rng(15)
    w = vector.lanes(np.float32 if np.dtype(dtype).itemsize <= 4 else np.float64)
    for M, K, N in [(9, 5, 1), (17, 3, w // 2 - 1), (5, 7, w - 3), (tiles.MR + 3, tiles.KC + 9, 2 * w + 3),
                    (3, 2 * tiles.KC + 1, w + 1), (2, 9, 4 * w - 3), (1, tiles.KC + 2, 8 * w + 5), (5, 6, 4 * w + 5)]:
        x, y = _values(rng, (2, M, K), dtype), _values(rng, (2, K, N), dtype)
        pad = np.full((2, M, N + 2 * w), 3, dtype)  # True for bool
        out = pad[:, :, w:w + N]  # unit-stride rows, neighbours on both sides
        assert batch_dot(x, y, out=out, kernel="tile") is out
        assert_batch_dot_close(out, x, y)
        assert (pad[:, :, :w] == pad.flat[0]).all() and (pad[:, :, w + N:] == pad.flat[0]).all()
    assert all(_verified.values()), [k for k, ok in _verified.items() if not ok]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.complex64])
def test_matrix_vector_dots_share_the_vectors_loads(dtype):
    """Dots of one column (``N == 1``): rows of ``x`` shorter than :data:`dots.SHARED_BELOW`
    bytes in groups of :data:`dots.DOTS` sharing the loads of ``y``, the rest (and longer rows)
    one at a time, on spans that split groups (serial and parallel calls), into contiguous and
    strided ``out``."""
    from batchdot.cpu import dots

    rng = np.random.default_rng(17)
    for B, M, K in [(3, dots.DOTS - 1, 5), (3, dots.DOTS, 1), (5, dots.DOTS + 1, 16), (3, 2 * dots.DOTS + 3, 100),
                    (700, 3 * dots.DOTS + 5, 19)]:
        x, y = _values(rng, (B, M, K), dtype), _values(rng, (B, K, 1), dtype)
        assert_batch_dot_close(batch_dot(x, y, kernel="dot"), x, y)
        out = with_layout(np.zeros((B, M, 1), dtype), "strided")
        assert batch_dot(x, y, out=out, kernel="dot") is out
        assert_batch_dot_close(out, x, y)
    assert all(_verified.values()), [k for k, ok in _verified.items() if not ok]


def _fills_every_out_layout(x, y, axes, shape, dtype):
    """``batch_dot(x, y, axes, out=out)`` fills and returns ``out`` of every layout, correctly."""
    for layout in ("C", "F", "strided", "negative"):
        out = with_layout(np.zeros(shape, dtype), layout)
        assert batch_dot(x, y, axes, out=out) is out
        assert_batch_dot_close(out, x, y, axes)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.complex64, bool])
def test_one_row_by_one_column_products_of_higher_rank_take_the_row_dots(dtype):
    """Products of one row by one column per batch element (every free axis of size 1) whose
    operands are not both rank 2 run as the rank-2 product of their ``(B, K)`` views
    (``choose.row_dots``, ``cpu._runner_rows``): the row dots' family, bit for bit that rank-2
    product's result, in this product's shape, with ``out=`` of every layout; Fortran-ordered
    operands too."""
    rng = np.random.default_rng(41)
    for xs, ys, axes in [((6628, 5), (6628, 5, 1, 1), (1, 1)), ((7, 1, 5), (7, 5, 1), (2, 1)),
                         ((7, 5, 1), (7, 1, 1, 5), (1, 3)), ((3, 1, 300), (3, 300), (2, 1)), ((40, 3), (40, 1, 3), (1, 2))]:
        x, y = _values(rng, xs, dtype), _values(rng, ys, dtype)
        p = _api.plan(xs, ys, axes)
        assert choose.row_dots(p, x, y)
        out_dtype = np.result_type(x, y)
        assert cpu.runner(p, x, y, out_dtype, out_dtype, None).family == "rowdot"
        got = batch_dot(x, y, axes)
        assert got.shape == p.out_shape
        x2, y2 = np.moveaxis(x, axes[0], -1).reshape(xs[0], -1), np.moveaxis(y, axes[1], -1).reshape(ys[0], -1)
        _assert_same_bits(got.reshape(-1), batch_dot(x2, y2, 1).reshape(-1))
        assert_batch_dot_close(got, x, y, axes)
        assert_batch_dot_close(batch_dot(np.asfortranarray(x), np.asfortranarray(y), axes), x, y, axes)
        _fills_every_out_layout(x, y, axes, got.shape, got.dtype)
    assert not choose.row_dots(_api.plan((5, 4), (5, 4), 1), np.ones((5, 4)), np.ones((5, 4)))  # rank 2 already
    assert not choose.row_dots(_api.plan((5, 2, 4), (5, 4), (2, 1)), np.ones((5, 2, 4)), np.ones((5, 4)))  # M = 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.complex64])
def test_one_column_products_run_as_their_transpose(dtype):
    """``y`` a vector per batch element and ``x`` stored with its contracted axis first
    (``(B, K, M)``, axes 1): computed as ``y^T x^T`` (a vector-matrix product over ``x``'s
    unit-stride rows), with and without ``out=`` in any layout."""
    rng = np.random.default_rng(16)
    for xs, ys, axes in [((7, 22, 34), (7, 22), (1, 1)), ((3, 17, 6, 5), (3, 17, 1, 1), (1, 1)),
                         ((4, 5, 3), (4, 5, 1), (1, 1)), ((2, 300, 40), (2, 300), 1)]:
        x, y = _values(rng, xs, dtype), _values(rng, ys, dtype)
        p = _api.plan(xs, ys, axes)
        out_dtype = np.result_type(x, y)
        assert choose.transposes(p, x, out_dtype)
        assert not choose.transposes(p, np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1), out_dtype)  # rows: dots
        got = batch_dot(x, y, axes)
        assert got.shape == p.out_shape
        assert_batch_dot_close(got, x, y, axes)
        if np.dtype(dtype).kind == "f":
            assert _family_used(x, y, axes) == "tile"
        _fills_every_out_layout(x, y, axes, p.out_shape, got.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.complex64])
def test_narrow_products_over_x_stored_by_columns_run_as_their_transpose(dtype):
    """``x`` stored ``(B, K, M)`` and up to ``choose.narrow_columns`` columns of ``y`` (C-ordered or
    stored ``(B, N, K)``): real products with ``M >= 4 N`` and enough work run as ``y^T x^T``,
    with and without ``out=`` in any layout; one column more, fewer rows, small work and
    complex results do not."""
    rng = np.random.default_rng(20)
    real = np.dtype(dtype).kind != "c"
    n = choose.narrow_columns(np.result_type(dtype, dtype))
    swapped = []
    real_swapped = cpu._runner_swapped
    # (B, K, M, N, swapped with y C-ordered, with y stored (B, N, K)): the latter is a transposed
    # pair where M <= K (test_transposed_pairs_run_as_their_transpose)
    for B, K, M, N, *swaps in [(8, 64, 300, n, real, real), (8, 64, 300, 2, real, real),
                               (8, 64, 300, n + 1, False, False), (64, 256, 4 * n - 1, n, False, real),
                               (2, 8, 40, 2, False, False)]:
        for y_stored_nk in (False, True):
            x = np.ascontiguousarray(_values(rng, (B, K, M), dtype))
            y = _values(rng, (B, N, K), dtype).transpose(0, 2, 1) if y_stored_nk else _values(rng, (B, K, N), dtype)
            swapped.clear()
            with pytest.MonkeyPatch.context() as mp:  # records the swap; the runner itself runs
                mp.setattr(_api, "_RUNNERS", {})
                mp.setattr(cpu, "_runner_swapped", lambda *a: swapped.append(1) or real_swapped(*a))
                got = batch_dot(x, y, (1, 1))
            assert bool(swapped) == swaps[y_stored_nk], (B, K, M, N, y_stored_nk)
            assert_batch_dot_close(got, x, y, (1, 1))
            _fills_every_out_layout(x, y, (1, 1), got.shape, got.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8, np.complex64])
def test_transposed_pairs_run_as_their_transpose(dtype):
    """``y`` stored ``(B, N, K)`` and ``x`` stored ``(B, K, M)`` (both transposed) with ``M <= K``
    where the transpose's tiles, ``M`` wide, are fuller than the product's (``choose.SWAP_FILL``):
    real products with enough work are computed as ``y^T x^T`` into the result's transposed
    view, with and without ``out=`` in any layout and with several free axes; complex results,
    ``M > K``, small products, tiles as full either way and ``x`` stored ``(B, M, K)`` (the tiles
    over ``y`` a block at a time, or the dots) do not."""
    rng = np.random.default_rng(18)
    real = np.dtype(dtype).kind != "c"
    for xs, ys, axes, swaps in [((40, 40, 8), (40, 11, 40), (1, 2), real), ((24, 40, 3, 5), (24, 2, 5, 40), (1, 3), real),
                                ((30, 40, 17), (30, 25, 40), (1, 2), False),  # the product's own tiles as full
                                ((30, 17, 40), (30, 25, 17), (1, 2), False), ((3, 9, 4), (3, 5, 9), (1, 2), False),
                                ((16, 8, 32), (16, 700, 32), (2, 2), False),  # x stored (B, M, K)
                                ((16, 2, 8, 32), (16, 5, 140, 32), (3, 3), False),
                                ((20, 64, 64), (20, 64, 64), (2, 2), False)]:
        x, y = _values(rng, xs, dtype), _values(rng, ys, dtype)
        p = _api.plan(xs, ys, axes)
        x3, y3, _ = p.canonical(x, y)
        assert choose.transposed_pair(x3, y3, np.result_type(x, y)) == swaps
        swapped = []
        real_swapped = cpu._runner_swapped
        with pytest.MonkeyPatch.context() as mp:  # records the swap; the runner itself runs
            mp.setattr(cpu, "_runner_swapped", lambda *a: swapped.append(1) or real_swapped(*a))
            got = batch_dot(x, y, axes)
        assert bool(swapped) == swaps
        assert got.shape == p.out_shape and got.flags.c_contiguous
        assert_batch_dot_close(got, x, y, axes)
        _fills_every_out_layout(x, y, axes, p.out_shape, got.dtype)


def _check_every_out(x, y, axes, p, got):
    """``got`` (``batch_dot(x, y, axes)``) has the plan's shape and NumPy's dtype and is close to
    the reference, and so is ``out=`` of every layout and, where ``x`` is C-ordered and large
    enough, an ``out`` overlapping (a copy of) ``x``."""
    assert got.shape == p.out_shape and got.dtype == np.result_type(x, y)
    assert_batch_dot_close(got, x, y, axes)
    _fills_every_out_layout(x, y, axes, p.out_shape, got.dtype)
    if x.dtype == got.dtype and x.flags.c_contiguous and x.size >= got.size:  # out overlapping x
        mem = x.copy()
        out = mem.reshape(-1)[x.size - got.size:].reshape(got.shape)
        assert batch_dot(mem, y, axes, out=out) is out
        assert_batch_dot_close(out, x, y, axes)


#: (x, y, axes, expected splits (operand and count, outer first)); x or y given by a base array
#: and the transpose that makes it: free axes on both sides of K, or a permuted view.
SPLIT_CASES = [
    ((5, 3, 7, 20), (5, 7, 4), (2, 1), ["x3"]),  # x (B, A, K, C): along A, into out[:, a]
    ((5, 4, 30), (5, 3, 30, 17), (2, 2), ["y3"]),  # y (B, D, K, E): along D, into out[:, :, d]
    ((4, 3, 60, 18), (4, 2, 60, 17), (2, 2), ["y2", "x3"]),  # both: x's sub-products split y
    ((6, 4, 11, 3), (6, 11), (2, 1), ["x4"]),  # thin sub-products (M' = 3), but y a vector
    (((5, 4, 30, 20), (0, 3, 2, 1)), (5, 30, 6), (2, 1), ["x4"]),  # permuted view: along its outer axis (C)
    ((5, 8, 7, 3), (5, 7, 4), (2, 1), []),  # thin sub-products (M' = 3): the copy
    ((6, 40, 3), (6, 4, 3, 20), (2, 2), []),  # short runs (E = 20) of a result larger than y: the copy
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.float16, np.complex64])
def test_products_whose_free_axes_cannot_merge_are_split(dtype, monkeypatch):
    """An operand with a free axis on each side of the contracted one (or a permuted view
    whose free axes do not merge) is read in place as sub-products along its outermost free
    axis, each into its slice of the result, with and without ``out=`` in any layout or
    overlapping an input; thin sub-products, short runs of a large result, products for BLAS
    and float16 operands (cast to float32 first, a copy either way) keep the copy."""
    monkeypatch.setattr(choose, "SPLIT_BYTES", 256)  # small operands take the split
    monkeypatch.setattr(_api, "_RUNNERS", {})
    rng = np.random.default_rng(19)
    splits = []
    real_split = cpu._runner_split

    def spy(p, x, y, split, *rest):
        got = real_split(p, x, y, split, *rest)
        if got is not None:
            splits.append(f"{split[0]}{split[3]}")
        return got

    monkeypatch.setattr(cpu, "_runner_split", spy)

    def operand(spec):
        if isinstance(spec[0], tuple):
            return _values(rng, spec[0], dtype).transpose(spec[1])
        return _values(rng, spec, dtype)

    for xs, ys, axes, expected in SPLIT_CASES:
        x, y = operand(xs), operand(ys)
        p = _api.plan(x.shape, y.shape, axes)
        splits.clear()
        got = batch_dot(x, y, axes)
        assert splits == (expected if dtype != np.float16 else []), (xs, ys)  # float16: each sub-product would cast its view
        _check_every_out(x, y, axes, p, got)
    x, y = _values(rng, (1, 256, 256), dtype), _values(rng, (1, 2, 256, 256), dtype)  # M, N >= BLAS_WIDE
    splits.clear()
    assert_batch_dot_close(batch_dot(x, y, (2, 2)), x, y, (2, 2))
    assert splits == ([] if np.dtype(dtype).kind in "fc" else ["y2"])  # products for BLAS keep the copy


#: (x, y, axes, folded): x (B, A, K, C) with A past the splits' SPLIT_MAX and a small y: read
#: as (B*A, K, C) against y repeated A times, where x's batch and A merge and y's copy stays
#: within choose.FOLD_SHARE of x; x given by a base array and the slice that makes it.
FOLD_CASES = [
    ((3, 70, 5, 6), (3, 5, 2), (2, 1), True),
    ((1, 90, 4, 20), (1, 3, 4, 2), (2, 2), True),  # y's free axes on both sides of K too (copied once, small)
    (((1, 90, 4, 7), (slice(None), slice(None), slice(None), slice(None, None, -1))), (1, 4, 2), (2, 1), True),
    (((3, 71, 5, 6), (slice(None), slice(0, 70))), (3, 5, 2), (2, 1), False),  # batch and A do not merge: the copy
    ((3, 70, 5, 6), (3, 5, 40), (2, 1), False),  # y repeated would exceed FOLD_SHARE of x: the copy
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.float16, np.complex64])
def test_products_whose_x_straddles_k_fold_its_first_free_axis_into_the_batch(dtype, monkeypatch):
    """An ``x`` with free axes on both sides of the contracted one and too many sub-products
    for a split is read in place as ``(B*A, K, C)`` against ``y`` repeated ``A`` times
    (``cpu._runner_fold``), with and without ``out=`` in any layout or overlapping an input;
    where its batch and first free axes do not merge, or the repeated ``y`` would be too
    large, it is copied."""
    monkeypatch.setattr(_api, "_RUNNERS", {})
    rng = np.random.default_rng(23)
    folds = []
    real_fold = cpu._runner_fold
    monkeypatch.setattr(cpu, "_runner_fold", lambda *a: folds.append(a[3]) or real_fold(*a))
    for xs, ys, axes, folded in FOLD_CASES:
        x = _values(rng, xs[0], dtype)[xs[1]] if isinstance(xs[0], tuple) else _values(rng, xs, dtype)
        y = _values(rng, ys, dtype)
        p = _api.plan(x.shape, y.shape, axes)
        folds.clear()
        got = batch_dot(x, y, axes)
        assert folds == ([x.shape[1]] if folded else []), (xs, ys)
        _check_every_out(x, y, axes, p, got)


@pytest.mark.parametrize("x_dtype, y_dtype", [(np.float32, np.float64), (np.int16, np.float32), (np.float64, np.uint8)])
def test_mixed_dtypes_run_as_their_transpose_too(x_dtype, y_dtype):
    """The layout checks of the transposes read each operand's own item size: transposed
    pairs of mixed dtypes run as ``y^T x^T`` as those of one dtype do."""
    rng = np.random.default_rng(21)
    real_swapped = cpu._runner_swapped
    for xs, ys, axes in [((40, 40, 8), (40, 11, 40), (1, 2)), ((24, 40, 3, 5), (24, 2, 5, 40), (1, 3))]:
        x, y = _values(rng, xs, x_dtype), _values(rng, ys, y_dtype)
        swapped = []
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_api, "_RUNNERS", {})
            mp.setattr(cpu, "_runner_swapped", lambda *a: swapped.append(1) or real_swapped(*a))
            got = batch_dot(x, y, axes)
        assert swapped, (xs, ys)
        assert_batch_dot_close(got, x, y, axes)
        _fills_every_out_layout(x, y, axes, got.shape, got.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int16, np.complex64])
def test_tall_tiles_where_x_is_stored_by_columns(dtype):
    """One-vector tiles over x's columns (each batch element of x stored transposed, as in
    midaxis): the tall tiles (:data:`tiles.MR1W` rows), the one MR1-row tile after them and
    the single rows, over K blocks, into contiguous and strided out."""
    rng = np.random.default_rng(14)
    w = vector.lanes(np.float32 if np.dtype(dtype).itemsize <= 4 else np.float64)
    rows = sorted({1, tiles.MR1 - 1, tiles.MR1, tiles.MR1W - 1, tiles.MR1W, tiles.MR1W + 1,
                   tiles.MR1W + tiles.MR1, tiles.MR1W + tiles.MR1 + 3, 2 * tiles.MR1W + 1, tiles.ROWS + 9})
    for M, (K, N) in itertools.product(rows, [(7, w), (64, w - 1), (tiles.KC + 3, w // 2 + 1), (1, w)]):
        x, y = _values(rng, (3, M, K), dtype), _values(rng, (3, K, N), dtype)
        xc = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)  # rows adjacent
        assert M == 1 or xc.strides[1] == xc.itemsize
        for layout in ("C", "strided"):
            out = with_layout(np.zeros((3, M, N), dtype), layout)
            assert batch_dot(xc, y, out=out, kernel="tile") is out
            assert_batch_dot_close(out, x, y)
    assert all(_verified.values()), [k for k, ok in _verified.items() if not ok]


@pytest.mark.parametrize("family", ["dot", "tile", None])
def test_dot_and_tile_fall_back_to_generic_when_verification_fails(monkeypatch, family):
    monkeypatch.setattr(cpu, "verify", lambda fam, *args: fam == "generic")
    monkeypatch.setattr(_api, "_RUNNERS", {})
    monkeypatch.setattr(cpu, "_PREPARED", {})
    rng = np.random.default_rng(9)
    M, N = (8, 8) if family is None else (5, 7)  # None: the automatic choice (tile)
    for B in (3, 5000):  # serial and parallel
        x, y = rng.standard_normal((B, M, 20)), rng.standard_normal((B, 20, N))
        out = np.empty((B, M, N))
        for _ in range(2):  # the cached runner too
            assert_batch_dot_close(batch_dot(x, y, kernel=family), x, y)
            assert_batch_dot_close(batch_dot(x, y, kernel=family, out=out), x, y)


def test_out_path_reuses_prepared_kernels():
    rng = np.random.default_rng(10)
    x, y = rng.standard_normal((4, 6, 9)), rng.standard_normal((4, 9, 5))
    out = np.empty((4, 6, 5))
    batch_dot(x, y, out=out)
    n = len(cpu._PREPARED)
    for _ in range(3):
        assert batch_dot(x, y, out=out) is out
        assert_batch_dot_close(out, x, y)
    assert len(cpu._PREPARED) == n


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_operands_with_unmergeable_free_axes_are_staged(dtype):
    """Free axes that cannot merge (squash: y's (12, 8)) are copied once; inputs never change."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((64, 12, 4, 5)).astype(dtype)
    y = rng.standard_normal((64, 12, 5, 8)).astype(dtype)
    xt = np.moveaxis(rng.standard_normal((64, 5, 12, 4)).astype(dtype), 1, 3)  # x's free axes unmergeable too
    before = (x.copy(), y.copy(), xt.copy())
    for a, b in [(x, y), (xt, y), (x, y[:, ::-1, :, ::2])]:
        for _ in range(2):  # the cached runner too
            assert_batch_dot_close(batch_dot(a, b), a, b)
    for a, b in zip((x, y, xt), before):
        np.testing.assert_array_equal(a, b)
    small = batch_dot(x[:2, :2], y[:2, :2])  # below the parallel cut-off: NumPy's copy
    assert_batch_dot_close(small, x[:2, :2], y[:2, :2])


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_products_over_y_stored_transposed_match_the_reference(data):
    """Random products with ``y`` stored ``(B, N, K)`` (q · kᵀ, its rows apart or not), every real
    dtype pair the tiles take and K over one or two blocks: the automatic choice and the tiles
    forced (which transpose ``y`` a block at a time) against the reference, into a strided
    ``out`` too."""
    B, M, N = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 70)), data.draw(st.integers(2, 70))
    K = data.draw(st.sampled_from([2, 3, 17, 64, tiles.KC + 1]))
    xd, yd = data.draw(st.sampled_from([("float32",) * 2, ("float64",) * 2, ("int32",) * 2, ("int8", "int16"),
                                        ("float32", "float64"), ("uint8", "float32")]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = _values(rng, (B, M, K), xd)
    gaps = data.draw(st.booleans())
    y = _values(rng, (B, 2 * N if gaps else N, K), yd)[:, ::2 if gaps else 1].transpose(0, 2, 1)
    for kernel in (None, "tile"):
        got = batch_dot(x, y, kernel=kernel)
        assert_batch_dot_close(got, x, y)
        out = with_layout(np.zeros(got.shape, got.dtype), "strided")
        assert batch_dot(x, y, out=out, kernel=kernel) is out
        assert_batch_dot_close(out, x, y)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "int16", "complex64", "bool", ">f8"])
def test_stage_copies_operands_stored_transposed_by_vector_squares(dtype, monkeypatch):
    """An operand stored with its last two axes swapped (``y`` stored ``(B, N, K)``, read as
    ``(B, K, N)``), trailing axes merged, gaps between its rows or not, a reversed batch: staged by
    ``kernels.transposed_copy`` (vector squares, every edge), equal to NumPy's copy; items of 16
    bytes take NumPy's copy."""
    rng = np.random.default_rng(49)
    calls = []
    real = cpu.transposed_copy
    monkeypatch.setattr(cpu, "transposed_copy", lambda src, dst: calls.append(src.shape) or real(src, dst))
    monkeypatch.setattr(cpu, "FLIP_FROM", 256)  # (bytes: all but the smallest cases take the squares)
    for B, K, N in [(3, 5, 7), (2, 37, 45), (4, 16, 16), (1, 300, 9), (5, 2, 33)]:
        for gaps, reverse in ((False, False), (True, False), (False, True)):
            stored = (rng.standard_normal((B, 2 * N if gaps else N, K)) * 9).astype(dtype)[:, ::2 if gaps else 1]
            t = stored[::-1 if reverse else 1].transpose(0, 2, 1)
            calls.clear()
            got = cpu.stage(t)
            np.testing.assert_array_equal(got, np.ascontiguousarray(t), strict=True)
            assert got.flags.c_contiguous and calls == ([(B, K, N)] if t.nbytes >= cpu.FLIP_FROM else []), (B, K, N, calls)
    t = np.ones((4, 9, 16), np.complex128).transpose(0, 2, 1)
    calls.clear()
    np.testing.assert_array_equal(cpu.stage(t), np.ascontiguousarray(t))
    assert not calls


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_staged_copies_equal_numpys(data):
    """cpu.stage(a, order) is np.ascontiguousarray(a.transpose(order)) for any layout, order
    and dtype; rows moved whole (short, unit-stride, the other axes mergeable) take np.take."""
    nd = data.draw(st.integers(3, 5))
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=nd, max_size=nd)))
    shape = (max(shape[0], 2),) + shape[1:-1] + (data.draw(st.integers(1, 40)),)
    dtype = data.draw(st.sampled_from(["float32", "float64", "complex128", "int8", "uint16", "bool", ">f8"]))
    a = (np.arange(int(np.prod(shape))).reshape(shape) % 251).astype(dtype)
    layout = data.draw(st.sampled_from(["C", "rows apart", "outer strided", "reversed", "F"]))
    if layout == "rows apart":  # padded rows: still one merged outer axis
        a = np.concatenate([a, a], axis=-1)[..., : shape[-1]]
    elif layout == "outer strided":
        a = np.concatenate([a, a], axis=1)[:, ::2]
    elif layout == "reversed":
        a = a[::-1]
    elif layout == "F":
        a = np.asfortranarray(a)
    outer = data.draw(st.permutations(range(nd - 1)))
    order = data.draw(st.sampled_from([tuple(outer) + (nd - 1,), tuple(range(nd))[::-1], None]))
    got = cpu.stage(a, order)
    want = np.ascontiguousarray(a if order is None else a.transpose(order))
    assert got.flags.c_contiguous and got.dtype == a.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    rows = cpu._row_order(a, order)
    if rows is not None:  # the path taken: short unit-stride rows, merged outer axes, a real move
        assert layout in ("C", "rows apart") and order[-1] == nd - 1 and order != tuple(range(nd))


def test_stage_moves_squashs_rows_with_take_within_a_budget(monkeypatch):
    """squash's y takes the row path; the cache of row orders is cleared past its budget."""
    y = np.ones((64, 12, 5, 8), np.float32)
    assert cpu._row_order(y, (0, 2, 1, 3))[1] == 8
    for dtype, width in [(np.float64, 4), (np.complex128, 2), (np.int8, 8)]:  # 32-byte pieces of longer rows
        z = np.arange(64 * 12 * 5 * 8).reshape(64, 12, 5, 8).astype(dtype)
        assert cpu._row_order(z, (0, 2, 1, 3))[1] == width
        np.testing.assert_array_equal(cpu.stage(z, (0, 2, 1, 3)), np.ascontiguousarray(z.transpose(0, 2, 1, 3)))
    padded = np.zeros((64, 12, 5, 16))[..., :8]  # 64-byte rows 128 bytes apart: whole rows
    assert cpu._row_order(padded, (0, 2, 1, 3))[1] == 8
    assert cpu._row_order(y[:, ::2], (0, 2, 1, 3)) is None  # outer axes that do not merge
    assert cpu._row_order(np.ones((64, 12, 5, 80), np.float32), (0, 2, 1, 3)) is None  # long rows
    monkeypatch.setattr(cpu, "_ROW_ORDERS", {})
    monkeypatch.setattr(cpu, "_ROW_ORDERS_BYTES", [0, 3 * 64 * 12 * 5 * np.dtype(np.intp).itemsize // 2])
    for order in [(0, 2, 1, 3), (1, 0, 2, 3), (2, 1, 0, 3)]:
        np.testing.assert_array_equal(cpu.stage(y, order), np.ascontiguousarray(y.transpose(order)))
        assert cpu._ROW_ORDERS_BYTES[0] <= cpu._ROW_ORDERS_BYTES[1] and len(cpu._ROW_ORDERS) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.complex128])
def test_stage_reads_permuted_views_as_stored(dtype, monkeypatch):
    """An operand that is an axis permutation of a C-ordered array (a ``swapaxes`` view) is
    staged from its memory order: its short rows take ``np.take``; anything else (long rows,
    gaps, negative strides, size-1 axes) is copied as before; the copy is always right."""
    rng = np.random.default_rng(19)
    base = rng.integers(-50, 50, (15, 185, 11, 5)).astype(dtype)
    y = base.swapaxes(1, 2)  # (15, 11, 185, 5), stored (15, 185, 11, 5)
    a, order = cpu._in_memory_order(y, None)
    takes = 5 * y.itemsize <= cpu.WHOLE_ROW_BYTES  # 80-byte rows (complex128): NumPy's copy
    if takes:
        assert a.flags.c_contiguous and np.shares_memory(a, base) and order == (0, 2, 1, 3)
        assert cpu._row_order(a, order) is not None
    else:
        assert a is y
    monkeypatch.setattr(cpu, "_ROW_ORDERS", {})
    cpu.stage(y)
    assert [k[0] for k in cpu._ROW_ORDERS] == ([(15, 185, 11)] if takes else [])  # the stored rows, taken
    views = [(y, None), (y, (0, 2, 1, 3)), (y, (1, 0, 2, 3)), (base.transpose(0, 3, 1, 2), (0, 2, 3, 1)),
             (np.asfortranarray(base), (0, 2, 1, 3)), (base[:, ::-1].swapaxes(1, 2), None),
             (base[:, :, :1].swapaxes(1, 3), None), (base[:, ::2].swapaxes(1, 2), None),
             (np.zeros((15, 185, 11, 40), dtype).swapaxes(1, 2), None)]
    for v, order in views:
        want = np.ascontiguousarray(v if order is None else v.transpose(order))
        got = cpu.stage(v, order)
        np.testing.assert_array_equal(got, want, strict=True)
        assert got.flags.c_contiguous and not np.shares_memory(got, v)
    gaps = base[:, ::2].swapaxes(1, 2)
    assert cpu._in_memory_order(gaps, None) == (gaps, (0, 1, 2, 3))  # not one run of memory: as given
    long_rows = np.zeros((15, 185, 11, 42), np.float32).swapaxes(1, 2)  # 168-byte rows, one memmove each
    assert cpu._row_order(*cpu._in_memory_order(long_rows, None)) is None


def test_any_out_layout_runs_the_verified_kernel_and_compiles_nothing_more():
    """The first-build check runs the compiled entry the call then uses, for every layout of
    out: one signature per dtype and rank (general_signature), none per layout."""
    from batchdot.cpu.tiles import tile_span

    rng = np.random.default_rng(11)
    x, y = rng.standard_normal((4, 8, 16)).astype(np.float32), rng.standard_normal((4, 16, 12)).astype(np.float32)
    want = batch_dot(x, y)
    before = set(tile_span.overloads)
    for out in (np.empty((4, 8, 12), np.float32, order="F"), np.empty((4, 8, 24), np.float32)[:, :, ::2],
                np.empty((12, 8, 4), np.float32).transpose(2, 1, 0)):
        batch_dot(x, y, out=out, kernel="tile")
        np.testing.assert_array_equal(out, batch_dot(x, y, kernel="tile"))
    assert set(tile_span.overloads) == before
    from batchdot.cpu.jit import general_signature

    assert general_signature((x, y, want, np.float32(0), 0, 1)) in before
    np.testing.assert_allclose(want, batch_dot(x, y, kernel="tile"), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_long_contracted_axis_is_as_accurate_as_matmul(dtype):
    """float32 sums over K = 2**20: every family within 2x of np.matmul's relative error
    (blocked partial sums), complex64 (the generic family) too."""
    rng = np.random.default_rng(12)
    K = 1 << 20
    x = rng.random((2, 1, K)).astype(dtype)
    y = rng.random((2, K, 3)).astype(dtype)
    if dtype == np.complex64:
        x = x + 1j * rng.random((2, 1, K)).astype(np.float32)
    ref = np.matmul(x.astype(np.complex128), y.astype(np.complex128))
    bound = 2 * np.max(np.abs(np.matmul(x, y) - ref) / np.abs(ref))
    families = ["generic"] if dtype == np.complex64 else ["generic", "tile", "dot"]
    for kernel in families:
        got = batch_dot(x, y, kernel=kernel)
        assert np.max(np.abs(got - ref) / np.abs(ref)) <= bound, kernel
    if dtype == np.float32:
        got = batch_dot(x[:, 0], np.ascontiguousarray(y[:, :, 0]), 1, kernel="rowdot")
        assert np.max(np.abs(got[:, 0] - ref[:, 0, 0]) / np.abs(ref[:, 0, 0])) <= bound


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel", ["generic", "tile", "dot", "rowdot", "blas", None])
def test_overflowing_products_give_numpys_nan(kernel, dtype):
    """No fused multiply-add: x = [max/2, -max/2], y = [4, 4] sums inf + -inf = NaN, as in
    NumPy's (x * y).sum(); a fused product would give inf (issue #13)."""
    h = np.finfo(dtype).max / 2
    if kernel == "rowdot":
        x, y, axes = np.tile(np.array([h, -h], dtype), (3, 8)), np.full((3, 16), 4, dtype), 1
    else:
        x = np.tile(np.array([h, -h], dtype), (3, 5, 8))
        y, axes = np.full((3, 16, 7), 4, dtype), (2, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        want = (np.expand_dims(x, -1) * np.expand_dims(y, 1)).sum(axis=2) if kernel != "rowdot" else (
            (x * y).sum(axis=1, keepdims=True))
        got = batch_dot(x, y, axes, kernel=kernel)
    assert np.isnan(want).all()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("kernel", ["generic", "dot", "rowdot", None])
def test_complex_dots_keep_numpys_inf_and_nan(kernel, dtype):
    """The complex dots (rowdot, vecmat) take separate products and sums: products that
    overflow give the inf and NaN of the textbook sums of (ac - bd) and (ad + bc), in every
    lane of the vectors (K = 37: full vectors and a masked tail), as the generic kernel does;
    finite rows stay close."""
    rng = np.random.default_rng(11)
    real = np.finfo(dtype).dtype
    big = np.finfo(real).max
    x = (rng.standard_normal((6, 37)) + 1j * rng.standard_normal((6, 37))).astype(dtype)
    y = (rng.standard_normal((6, 37)) + 1j * rng.standard_normal((6, 37))).astype(dtype)
    x[0, 3], y[0, 3] = big / 2 + 0j, 4 + 4j  # re and im overflow: inf + inf j
    x[1, 5], y[1, 5] = big / 2 + big / 2 * 1j, 4 + 4j  # re: inf - inf = NaN
    x[2, 36], y[2, 36] = 1j * big, 1j * 2  # re: -(b d) = -inf, in the masked tail
    x[3, 0], x[3, 1], y[3, 0], y[3, 1] = big + 0j, -big + 0j, 2 + 0j, 2 + 0j  # inf + -inf
    x[4, 7] = np.nan
    with np.errstate(over="ignore", invalid="ignore"):
        # the textbook products (NumPy's own complex multiply may fuse them on AVX-512: there
        # (max/2 + max/2 j)(4 + 4j) has a real part of -inf, not inf - inf)
        a, b, c, d = x.real, x.imag, y.real, y.imag
        want = np.empty((x.shape[0], 1), dtype)
        want.real = (a * c - b * d).sum(axis=1, keepdims=True)  # (1j * inf would add NaN to the real part)
        want.imag = (a * d + b * c).sum(axis=1, keepdims=True)
        if kernel == "dot":
            got = batch_dot(x, y[:, None, :], (1, 2), kernel=kernel)
        else:
            got = batch_dot(x, y, 1, kernel=kernel)
    got = got.reshape(want.shape)
    bad = ~np.isfinite(want.real) | ~np.isfinite(want.imag)
    assert bad[:5].all() and not bad[5].any()
    rtol = 1e-5 if dtype == np.complex64 else 1e-12
    for g, w in ((got.real, want.real), (got.imag, want.imag)):  # each part: inf and NaN exactly
        finite = np.isfinite(w)
        np.testing.assert_array_equal(np.where(finite, 0, g), np.where(finite, 0, w))
        np.testing.assert_allclose(g[finite], w[finite], rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout, bad", [("C", 1), ("F", 1), ("strided", 1), ("C", 0), ("C", 3)])
def test_tiles_fuse_multiply_adds_only_where_nothing_can_overflow(layout, bad, dtype):
    """The tiles fuse multiply-adds for a block of rows whose operands' largest finite
    magnitudes show that no product or sum can overflow.  Batch element ``bad`` (the first,
    a middle or the last) holds x = [-max, max/2, -max], y = [1, 4, 1] (fused: -max + 2max =
    max; NumPy's (x * y).sum(): -max + inf = inf) in one block of rows; elements 2 and 3 hold
    inf and NaN inputs (fused or not, inf * y and NaN propagate alike).  Every result must
    equal NumPy's sums where they are not finite, and be close to them elsewhere, the other blocks of rows (M = 70:
    two blocks) and elements included; K = 300 spans two blocks of K.  N = 80: products
    large enough to fuse (``tiles.FMA_INTENSITY``)."""
    rng = np.random.default_rng(5)
    B, M, K, N = 4, 70, 300, 80
    assert min(M, tiles.ROWS) * N >= tiles.FMA_INTENSITY * (min(M, tiles.ROWS) + N)
    x, y = rng.standard_normal((B, M, K)).astype(dtype), rng.standard_normal((B, K, N)).astype(dtype)
    big = np.finfo(dtype).max
    x[bad, 3, :3], y[bad, :3, 5] = [-big, big / 2, -big], [1, 4, 1]
    x[2, 66, 10], y[3, 299, 76] = np.inf, np.nan
    xx = {"C": x, "F": np.asfortranarray(x), "strided": np.repeat(x, 2, axis=2)[:, :, ::2]}[layout]
    with np.errstate(over="ignore", invalid="ignore"):
        want = (x[:, :, :, None].astype(np.float64) * y[:, None].astype(np.float64)).astype(dtype).sum(axis=2)
        got = batch_dot(xx, y, (2, 1), kernel="tile")
    finite = np.isfinite(want)
    assert not finite[bad, 3, 5] and not finite[2, 66].any() and not finite[3, :, 76].any()
    np.testing.assert_array_equal(np.where(finite, 0, got), np.where(finite, 0, want))
    rtol = 1e-4 if np.finfo(dtype).bits == 32 else 1e-12  # float32 and complex64
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=1e3 * rtol)


@pytest.mark.parametrize("bad", ["first rows", "last rows"])
@pytest.mark.parametrize("x_dtype, y_dtype, n, layout", [
    (np.float64, np.float64, 33, "C"), (np.float64, np.float64, 32, "x by columns"),
    (np.float32, np.float32, 48, "C"), (np.float32, np.float64, 33, "C"), (np.int32, np.float64, 33, "C")])
def test_tiles_reading_the_next_element_ahead_fuse_only_where_nothing_can_overflow(x_dtype, y_dtype, n, layout, bad):
    """Where the wide tiles read the next batch element's ``x`` and ``y`` while they run
    (``tiles.READ_FROM``) and take its bound for fused multiply-adds from what they read, that
    bound covers the whole element: every element but the first holds, in its first or its
    last rows and columns, products that overflow only without fusing (x = [-max, max/2, -max],
    y = [1, 4, 1], scaled to out's largest; integer x = [-1, 2, -1] against y = max: fused, the
    sums are finite), and
    each such sum must be NumPy's inf.  33 x 33 float64 elements start off cache lines and end
    in a part of one (the last line is read from its end back), with a partial column block;
    ``x by columns`` reads x's elements stored (B, K, M); float32 x against float64 y reads x
    as float32; int32 x takes a constant bound."""
    rng = np.random.default_rng(11)
    B = 7
    out_dtype = np.result_type(x_dtype, y_dtype)
    item_x, item_y = np.dtype(x_dtype).itemsize, np.dtype(y_dtype).itemsize
    assert n * n * (item_x + item_y) > tiles.READ_FROM and n >= tiles.MR
    assert all(tiles.PREFETCH_BYTES[0] <= n * n * i <= tiles.PREFETCH_BYTES[1] for i in (item_x, item_y))
    if np.dtype(x_dtype).kind == "i":
        x = rng.integers(-3, 4, (B, n, n)).astype(x_dtype)
    else:
        x = rng.standard_normal((B, n, n)).astype(x_dtype)
    y = rng.standard_normal((B, n, n)).astype(y_dtype)
    big = np.finfo(out_dtype).max
    r, ks, c = (0, slice(0, 3), 0) if bad == "first rows" else (n - 1, slice(n - 3, n), n - 1)
    for b in range(1, B):
        if np.dtype(x_dtype).kind == "i":
            x[b, r, ks], y[b, ks, c] = [-1, 2, -1], big
        else:
            top = np.finfo(x_dtype).max  # y scaled to reach out's largest where x is float32 and out float64
            x[b, r, ks], y[b, ks, c] = [-top, top / 2, -top], np.array([1, 4, 1]) * (big / top)
    xx = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1) if layout == "x by columns" else x
    with np.errstate(over="ignore", invalid="ignore"):
        want = (x[:, :, :, None].astype(out_dtype) * y[:, None].astype(out_dtype)).sum(axis=2)
        got = batch_dot(xx, y, (2, 1), kernel="tile")
    finite = np.isfinite(want)
    assert finite[0].all() and not finite[1:, r, c].any()
    np.testing.assert_array_equal(np.where(finite, 0, got), np.where(finite, 0, want))
    rtol = 1e-4 if out_dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=1e3 * rtol)


@pytest.mark.parametrize("x_dtype, y_dtype, m, k, n", [
    (np.float32, np.float32, 32, 32, 32), (np.float64, np.float64, 16, 16, 16),
    (np.float32, np.float64, 16, 16, 16), (np.float32, np.float32, 80, 8, 32), (np.int32, np.float64, 16, 16, 16),
    (np.float32, np.float32, 16, 16, "2 blocks"), (np.float64, np.float64, 16, 16, "2 blocks")])
def test_tiles_checking_their_bound_after_an_item_redo_it_unfused_where_it_fails(x_dtype, y_dtype, m, k, n):
    """Where ``x``'s and ``y``'s batch elements are each one page or less (``tiles.CHECK_AFTER``)
    the wide tiles run fused first and check the bound after each item: an item whose operands
    could overflow without fusing is computed again, unfused, over what the fused tiles wrote.
    Elements 0, 4 and 8 (first, middle, last) hold x = [-max, max/2, -max], y = [1, 4, 1]
    (scaled to out's largest; fused, a sum other than NumPy's inf or NaN) in one item, the
    others nothing large; 80 rows are two items of one element, the bad rows in the second (the
    element's ``y`` bound is shared by both); int32 x takes its constant bound against y = max.
    Two column blocks: the bad column in the second.  Cases whose tiles do not fuse on this
    CPU (float64 results of one column block on AVX2) are skipped."""
    rng = np.random.default_rng(37)
    B = 9
    out_dtype = np.result_type(x_dtype, y_dtype)
    w = vector.lanes(out_dtype)
    n = 4 * w if n == "2 blocks" else min(n, 2 * w)  # one or two column blocks of two-vector tiles
    if np.dtype(x_dtype).kind == "i":
        x = rng.integers(-3, 4, (B, m, k)).astype(x_dtype)
    else:
        x = rng.standard_normal((B, m, k)).astype(x_dtype)
    y = rng.standard_normal((B, k, n)).astype(y_dtype)
    shape, nr = vector.columns(n, w)
    spans = [(a.shape[1] - 1) * a.strides[1] + (a.shape[2] - 1) * a.strides[2] + a.itemsize for a in (x, y)]
    assert shape == 2 and nr * 2 >= n and max(spans) <= tiles.CHECK_AFTER  # (tile_span's condition)
    if not tiles.may_fuse(m, n, out_dtype):  # (AVX2: float64 products of one column block never fuse)
        pytest.skip(f"{out_dtype} products of {n} columns do not fuse on this CPU's vectors")
    big, r, c = np.finfo(out_dtype).max, m - 2, n - 3
    for b in (0, 4, 8):
        if np.dtype(x_dtype).kind == "i":
            x[b, r, :3], y[b, :3, c] = [-1, 2, -1], big
        else:
            top = np.finfo(x_dtype).max
            x[b, r, :3], y[b, :3, c] = [-top, top / 2, -top], np.array([1, 4, 1]) * (big / top)
    out = np.full((B, m, n), np.nan, out_dtype)  # the redo writes over the fused tiles' results
    with np.errstate(over="ignore", invalid="ignore"):
        want = (x[:, :, :, None].astype(out_dtype) * y[:, None].astype(out_dtype)).sum(axis=2)
        got = batch_dot(x, y, (2, 1), kernel="tile", out=out)
    finite = np.isfinite(want)
    assert not finite[[0, 4, 8], r, c].any() and finite[[1, 2, 3, 5, 6, 7]].all()
    np.testing.assert_array_equal(np.where(finite, 0, got), np.where(finite, 0, want))
    rtol = 1e-4 if out_dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=1e3 * rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.complex64])
def test_a_last_block_of_one_vector_of_columns_runs_one_vector_tiles(dtype):
    """Products whose columns end on a block of at most ``W`` after two-vector blocks run it in
    one-vector tiles (``tiles.tile_span``'s ``tail``), the blocks before keeping the next
    element's shares (read ahead for its bound where ``tiles.READ_FROM`` applies): every left
    over count from 1 to ``W`` and ``W + 1`` (two-vector blocks only), full and partial tiles of
    rows, every ``out`` layout."""
    rng = np.random.default_rng(29)
    w = vector.VECTOR_BYTES // max(np.dtype(dtype).itemsize // (2 if np.dtype(dtype).kind == "c" else 1), 4)
    for left in sorted({1, w // 2, w - 1, w, w + 1}):
        for M in (21, 40):
            N = 2 * w + left
            x, y = _values(rng, (5, M, 40), dtype), _values(rng, (5, 40, N), dtype)
            got = batch_dot(x, y, (2, 1), kernel="tile")
            assert_batch_dot_close(got, x, y, (2, 1))
            if M == 40:
                _fills_every_out_layout(x, y, (2, 1), got.shape, got.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_short_k_products_write_out_in_sweeps_of_rows(dtype):
    """Products over at most ``tiles.SWEEP_K`` elements of K, of more than ``tiles.SWEEP_ROWS``
    rows whose rows of ``out`` span at least ``tiles.SWEEP_ROW_BYTES``, write ``out``
    ``SWEEP_ROWS`` rows at a time over every column block (``tiles.sweep_span``): K
    of 1 to ``SWEEP_K``, a last sweep of a few rows and of one row, columns ending on a full
    two-vector block, a one-vector block and a partial two-vector block, an element whose
    products overflow (taken unfused: ``inf - inf`` stays NaN), every ``out`` layout."""
    rng = np.random.default_rng(31)
    item = np.dtype(dtype).itemsize
    w = vector.VECTOR_BYTES // max(item, 4)
    n0 = -(-tiles.SWEEP_ROW_BYTES // item)
    n0 += -n0 % (2 * w)  # the shortest sweeping rows of full two-vector blocks
    for K in (1, 2, 7, tiles.SWEEP_K):
        for M in (tiles.SWEEP_ROWS + 1, 3 * tiles.SWEEP_ROWS + 5):
            for N in (n0, n0 + w // 2, n0 + w + 3):
                x, y = _values(rng, (3, M, K), dtype), _values(rng, (3, K, N), dtype)
                got = batch_dot(x, y, (2, 1), kernel="tile")
                assert_batch_dot_close(got, x, y, (2, 1))
                if K == 7 and N == n0 + w // 2:
                    _fills_every_out_layout(x, y, (2, 1), got.shape, got.dtype)
                if np.dtype(dtype).kind == "f" and K >= 2:  # element 1: two products overflow
                    big = np.finfo(dtype).max
                    at = [(1, 1), (M - 1, N - 1)]  # in a full tile, in the last row and column
                    x[1, :, :2], y[1, :2, :] = 0, 0
                    for i, j in at:
                        x[1, i] = 0
                        x[1, i, :2], y[1, :2, j] = [big / 2, -big / 2], [4, 4]
                    with np.errstate(over="ignore", invalid="ignore"):
                        got = batch_dot(x, y, (2, 1), kernel="tile")
                    for i, j in itertools.product(*zip(*at)):  # each row against each column
                        assert np.isnan(got[1, i, j]), (i, j)
                        got[1, i, j] = x[1, i, :2] = 0
                    assert_batch_dot_close(got, x, y, (2, 1))
    assert all(ok for key, ok in _verified.items() if key[0] == "tile")
    assert any(key[0] == "tile" and key[-1] == "sweep" for key in _verified), "the sweeps' span never ran"


def _variant_span_matches_tile_span(dtype, variant, products, others, seed):
    """Products ``(M, K, N)`` that run the tile family's span ``variant`` do so, and equal
    ``tile_span``'s results bit for bit (with ``x``'s rows adjacent too, and into a strided
    ``out``); the variant's span given ``others``, products the engine never hands it, computes
    them too (to the same bits where ``tile_span`` does not fuse multiply-adds on them)."""
    rng = np.random.default_rng(seed)
    zero = np.dtype(dtype).type(0)

    def span(fn, x, y, out):
        cpu.compile_for(fn, (x, y, out, zero, 0, 1), general=True)(x, y, out, zero, 0, tiles.work_items(*x.shape[:2]))
        return out

    for M, K, N in products:
        x, y = _values(rng, (3, M, K), dtype), _values(rng, (3, K, N), dtype)
        assert tiles.span_variant(x, y, np.empty((3, M, N), dtype)) == variant
        for xl in (x, np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)):
            got = batch_dot(xl, y, kernel="tile")
            np.testing.assert_array_equal(got, span(tiles.tile_span, xl, y, np.zeros((3, M, N), dtype)), strict=True)
            assert_batch_dot_close(got, x, y)
        out = with_layout(np.zeros(got.shape, got.dtype), "strided")
        assert batch_dot(x, y, out=out, kernel="tile") is out
        np.testing.assert_array_equal(out, got, strict=True)
    for M, K, N in others:
        x, y = _values(rng, (2, M, K), dtype), _values(rng, (2, K, N), dtype)
        assert tiles.span_variant(x, y, np.empty((2, M, N), dtype)) != variant
        got = span(tiles.kernels_for(np.dtype(dtype), variant), x, y, np.zeros((2, M, N), dtype))
        assert_batch_dot_close(got, x, y)
        if not tiles.may_fuse(M, N, dtype):
            np.testing.assert_array_equal(got, span(tiles.tile_span, x, y, np.zeros((2, M, N), dtype)), strict=True)
    assert all(ok for key, ok in _verified.items() if key[0] == "tile")
    assert any(key[0] == "tile" and key[-1] == variant for key in _verified), f"the {variant} span never ran"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
def test_few_row_products_run_a_span_of_their_own_bit_for_bit_as_the_tiles(dtype):
    """Products of at most ``vector.QUAD_TILE_ROWS`` rows over more than ``2W`` columns
    (``vector.row_columns``) run ``tiles.row_span``: one-row tiles of 4 and of 8 vectors (a
    partial last block), 4-row tiles and then a single row, K within one block and over two.
    Unfused like the two-vector tiles of ``tile_span``, each element equals theirs bit for bit;
    ``row_span`` computes any other product too (one-row tiles of 8 vectors)."""
    w = vector.VECTOR_BYTES // max(np.dtype(dtype).itemsize, 4)
    products = [(M, K, N) for M, N in ((1, 2 * w + 1), (3, 4 * w), (2, 8 * w + 3), (4, 4 * w + 3), (5, 8 * w))
                for K in (1, 9, tiles.KC + 3)]
    _variant_span_matches_tile_span(dtype, "rows", products, [(6, 9, 4 * w), (3, 9, 2 * w), (40, 9, 9)], 41)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8])
def test_narrow_products_run_a_span_of_their_own_bit_for_bit_as_the_tiles(dtype):
    """Products of at most ``W`` columns run ``tiles.narrow_span``: half-width tiles (at most
    ``W/2`` columns) and one-vector tiles, the tall ones where ``x``'s rows are adjacent, with
    left-over rows (overlapping the last tile where K is ``vector.OVERLAP_K`` or more), K
    within one block and over two, more than one block of rows.  ``tile_span`` runs them on
    one-vector tiles: the same sums, bit for bit; ``narrow_span`` computes wider products too
    (one-vector tiles over blocks of ``W`` columns)."""
    w = vector.VECTOR_BYTES // max(np.dtype(dtype).itemsize, 4)
    products = [(M, K, N) for M, N in ((9, 1), (tiles.MR1W + 5, w // 2), (2 * tiles.MR1W + 3, w // 2 + 1), (7, w),
                                       (tiles.ROWS + 9, w - 1))
                for K in (1, 9, vector.OVERLAP_K, tiles.KC + 3)]
    _variant_span_matches_tile_span(dtype, "narrow", products, [(9, 9, w + 1), (tiles.ROWS + 3, 40, 3 * w - 2)], 43)


@pytest.mark.parametrize("dtypes", [(np.float32,) * 3, (np.float64,) * 3, (np.int32,) * 3, (np.int64,) * 3, (np.int8,) * 3,
                                    (np.float32, np.float64, np.float64), (np.int16, np.float32, np.float32),
                                    (np.int8, np.uint8, np.int16), (np.bool_, np.int8, np.int8)])
def test_y_stored_transposed_is_transposed_a_block_at_a_time(dtypes):
    """The tiles read a ``y`` stored ``(B, N, K)`` in place, the block kernel transposing each
    block into a buffer on the stack (``vector.transpose``), where the engine copied it whole
    before: bit for bit the tiles' result on a C-ordered copy of ``y``, for wide products with a
    last one-vector block, narrow ones, few-row ones, short and long K (two blocks), more than
    one block of rows, ``y`` with gaps between its rows, near the overflow bound (separate
    products and sums), into a strided ``out`` too, every item size; no copy of ``y`` is made."""
    xd, yd, od = (np.dtype(d) for d in dtypes)
    rng = np.random.default_rng(47)
    w = vector.VECTOR_BYTES // max(od.itemsize, 4)
    staged = []
    real_stage = cpu.stage
    for M, K, N in [(20, 43, 23), (tiles.ROWS + 9, tiles.KC + 7, 2 * w + 3), (9, 5, w // 2 + 1), (3, 30, 3 * w + 1),
                    (tiles.MR + 3, 1, 2 * w), (7, 2, 5 * w - 1), (1, 40, 9)]:
        x = _values(rng, (3, M, K), xd)
        for gaps in (False, True):
            yt = _values(rng, (3, 2 * N if gaps else N, K), yd)[:, ::2 if gaps else 1]
            y = yt.transpose(0, 2, 1)  # (B, K, N), K unit-stride
            if od.kind == "f" and xd == yd == od and K <= 64:  # (sums of longer K would overflow there)
                scale = np.ldexp(1.0, (np.finfo(od).maxexp - 8) // 2).astype(od)
                x[1] *= scale
                y = (yt * np.where(np.arange(3) == 1, scale, 1).astype(yd)[:, None, None]).transpose(0, 2, 1)
            packed = K > 1  # (K = 1: y's rows are unit-stride without gaps)
            assert tiles.packs(y, od) == packed
            staged.clear()
            with pytest.MonkeyPatch.context() as mp:  # records copies of the operands
                mp.setattr(_api, "_RUNNERS", {})
                mp.setattr(cpu, "stage", lambda a, order=None: staged.append(a.shape) or real_stage(a, order))
                got = batch_dot(x, y, kernel="tile", dtype=od)
                out = with_layout(np.zeros(got.shape, od), "strided")
                assert batch_dot(x, y, out=out, kernel="tile") is out
            assert got.dtype == od and (not staged) == (packed or y.strides[2] == y.itemsize), (M, K, N, staged)
            ref = batch_dot(x, np.ascontiguousarray(y), kernel="tile", dtype=od)
            np.testing.assert_array_equal(got, ref, strict=True)
            np.testing.assert_array_equal(out, ref, strict=True)
            assert_batch_dot_close(got, x, y, dtype=od)
    assert all(ok for key, ok in _verified.items() if key[0] == "tile")


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_left_over_rows_of_one_vector_tiles_run_as_one_more_tile(dtype):
    """Narrow products (one-vector and half-width tiles) whose rows end with 2 or more rows
    after their full tiles run those as one more full tile over the block's last rows where the
    block's sums are stored (K within one block) and K is at least ``vector.OVERLAP_K``,
    recomputing some rows, else as single rows (later blocks of K add to ``out``): every count of
    left-over rows, K short, within one block and over two, the tall tiles of rows lying adjacent; each row bit for bit the same row computed
    alone, into a strided ``out`` too."""
    rng = np.random.default_rng(37)
    w = vector.VECTOR_BYTES // max(np.dtype(dtype).itemsize, 4)
    for N in (w // 2 - 1, w - 3):
        for K in (7, vector.OVERLAP_K, tiles.KC + 9):
            for M in range(tiles.MR1 + 1, 2 * tiles.MR1):
                for adjacent in (False, True):
                    x = _values(rng, (3, M, K), dtype)
                    if adjacent:  # rows adjacent: the tall tiles
                        x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
                    y = _values(rng, (3, K, N), dtype)
                    got = batch_dot(x, y, (2, 1), kernel="tile")
                    alone = np.concatenate([batch_dot(x[:, i:i + 1], y, (2, 1), kernel="tile") for i in range(M)], axis=1)
                    _assert_same_bits(got, alone)
                    out = np.full((3, M, 2 * N), 7, got.dtype)
                    batch_dot(x, y, (2, 1), out=out[..., ::2], kernel="tile")
                    _assert_same_bits(np.ascontiguousarray(out[..., ::2]), alone)
                    assert (out[..., 1::2] == 7).all()
                    assert_batch_dot_close(got, x, y, (2, 1))


@njit
def _absmax_of(a, off, rs, cs, rows, n):
    return absmax(a, off, rs, cs, rows, n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "rows apart"])
@pytest.mark.parametrize("n", [1, 5, 16, 37, 70, 130])
def test_absmax_bounds_every_finite_magnitude(n, layout, dtype):
    """vector.absmax, the bound behind the tiles' fused multiply-adds: the largest magnitude
    of a rows x n block of every layout and width (C order read as one run in four-vector
    chains, rows with single vectors and a masked tail, strided elements; every start
    against a vector boundary: the elements before it in one masked load), NaN skipped, an
    infinity giving an infinite bound (no fusing), and nothing outside the block read."""
    rng = np.random.default_rng(n)
    rows, item = 3, np.dtype(dtype).itemsize
    es, er = {"C": (1, n), "F": (rows, 1), "strided": (2, 2 * n + 3), "rows apart": (1, n + 9)}[layout]
    for pad in range(40, 40 + 64 // item):  # every start within a vector
        buf = np.full(2 * pad + rows * er + n * es, -1e30, dtype)  # everything outside the block
        idx = pad + np.arange(rows)[:, None] * er + np.arange(n)[None, :] * es
        block = rng.standard_normal((rows, n)).astype(dtype)
        block[1, n // 2] = -7.5
        want = float(np.max(np.abs(block)))

        def bound():
            buf[idx] = block
            return _absmax_of(buf, pad * item, er * item, es * item, rows, n)

        assert bound() == want, pad
        block[0, n - 1] = np.nan
        assert bound() == want, pad
        block[rows - 1, 0] = -np.inf
        assert bound() == np.inf, pad


@njit
def _times_i_of(src, off, rs, dst, drs, rows, n):
    times_i(src, off, rs, dst, drs, rows, n)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("pairs", [1, 3, 8, 9, 16, 21])
def test_times_i_writes_i_z_exactly_and_nothing_else(pairs, dtype):
    """vector.times_i, the complex tiles' block of ``i y``: every pair (re, im) of a rows x
    pairs block, rows apart in the source and in the destination, becomes (-im, re) to the
    bit (inf, NaN and signed zeros included), whole vectors and the pairs after them; the
    destination's reals between its rows and after the block keep their values."""
    rng = np.random.default_rng(pairs)
    real = np.finfo(dtype).dtype
    rows, gap = 5, 3  # the source's rows 3 complex apart, the destination's 7 reals apart
    z = (rng.standard_normal((rows, pairs + gap)) + 1j * rng.standard_normal((rows, pairs + gap))).astype(dtype)
    z[0, 0], z[rows - 1, pairs - 1] = complex(np.inf, -0.0), complex(np.nan, 0.0)
    src = z.view(real)  # (rows, 2 * (pairs + gap)) reals
    dst = np.full((rows, 2 * pairs + 7), -5.0, real)
    _times_i_of(src, z.itemsize, src.strides[0], dst, dst.strides[0], rows, 2 * pairs)  # from each row's 2nd
    want = np.stack([-z.imag, z.real], axis=-1)[:, 1:pairs + 1].reshape(rows, -1)
    np.testing.assert_array_equal(dst[:, :2 * pairs].view(np.dtype(f"u{real.itemsize}")),
                                  want.view(np.dtype(f"u{real.itemsize}")))
    assert (dst[:, 2 * pairs:] == -5.0).all()


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("bad", [0, 1])
def test_complex_tiles_fuse_only_where_nothing_can_overflow(bad, dtype):
    """The complex tiles fuse multiply-adds like the real ones, where the largest real and
    imaginary parts bound every product and sum: batch element ``bad`` holds re(x) = [-max,
    max/2, -max] against re(y) = [1, 4, 1] (fused: a finite real part; the textbook sums of
    ac - bd: -max + inf = inf); elements 2 and 3 hold inf and NaN.  Non-finite parts must be
    those of the textbook sums, the rest close (products in float64, then rounded to the
    dtype as the tiles' are, summed in float64)."""
    rng = np.random.default_rng(7)
    B, M, K, N = 4, 70, 300, 40
    real = np.finfo(dtype).dtype
    big = np.finfo(real).max

    def values(shape):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)

    x, y = values((B, M, K)), values((B, K, N))
    x.real[bad, 3, :3], x.imag[bad, 3, :3] = [-big, big / 2, -big], 0
    y.real[bad, :3, 5], y.imag[bad, :3, 5] = [1, 4, 1], 0
    x[2, 66, 10], y[3, 299, 36] = np.inf, np.nan
    with np.errstate(over="ignore", invalid="ignore"):
        got = batch_dot(x, y, (2, 1), kernel="tile")
        a, b = x.real[:, :, :, None].astype(np.float64), x.imag[:, :, :, None].astype(np.float64)
        c, d = y.real[:, None].astype(np.float64), y.imag[:, None].astype(np.float64)
        parts = [((a * c).astype(real) - (b * d).astype(real)).sum(axis=2),
                 ((a * d).astype(real) + (b * c).astype(real)).sum(axis=2)]
    assert not np.isfinite(parts[0][bad, 3, 5]) and not np.isfinite(parts[0][2, 66]).any()
    rtol = 1e-4 if real == np.float32 else 1e-12
    for g, w in zip((got.real, got.imag), parts):
        finite = np.isfinite(w)
        np.testing.assert_array_equal(np.where(finite, 0, g), np.where(finite, 0, w))
        np.testing.assert_allclose(g[finite], w[finite], rtol=rtol, atol=1e3 * rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("case", ["rescued", "inf", "nan"])
def test_blas_products_that_overflow_give_numpys_sums(case, dtype):
    """BLAS fuses multiply-adds: x = [-max, max/2], y = [1, 4] sums -max + 2max = max there,
    where NumPy's (x * y).sum() gives -max + inf = inf.  Such batch elements, and those with
    inf or NaN, are computed by the tiles; the others by BLAS (512 x 512 float64 elements
    are one group each, so the neighbours of the bad one still take BLAS); y contiguous (a
    norm bounds its products) or not (its largest magnitude does); Fortran-ordered stacks
    (one group: each batch element spans the whole operand)."""
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((3, 512, 512)).astype(dtype), rng.standard_normal((3, 512, 512)).astype(dtype)
    big = np.finfo(dtype).max
    x[1, 7, :3], y[1, :3, 5] = {"rescued": ([-big, big / 2, -big], [1, 4, 1]),
                                "inf": ([np.inf, 1, 1], [0, 1, 1]), "nan": ([np.nan, 1, 1], [1, 1, 1])}[case]
    rtol = 1e-4 if np.finfo(dtype).bits == 32 else 1e-12  # float32 and complex64
    with np.errstate(over="ignore", invalid="ignore"):
        want_row, want_col = (x[1, 7, :, None] * y[1]).sum(axis=0), (x[1] * y[1, :, 5]).sum(axis=1)
        mm = np.matmul(x, y)
    assert not np.isfinite(want_row[5])
    rest = np.ones(mm.shape, bool)
    rest[1, 7, :] = rest[1, :, 5] = False
    y_t = np.ascontiguousarray(y.transpose(0, 2, 1)).transpose(0, 2, 1)  # not contiguous: max/min bound
    x_f, y_f = np.asfortranarray(x), np.asfortranarray(y)
    for kernel, xx, yy in [(None, x, y), ("blas", x, y), ("blas", x, y_t), (None, x_f, y_f), (None, x_f, y_t)]:
        got = batch_dot(xx, yy, kernel=kernel)
        for g, w in [(got[1, 7, :], want_row), (got[1, :, 5], want_col)]:
            np.testing.assert_array_equal(np.where(np.isfinite(w), 0, g), np.where(np.isfinite(w), 0, w))
            np.testing.assert_allclose(g[np.isfinite(w)], w[np.isfinite(w)], rtol=rtol, atol=1e3 * rtol)
        np.testing.assert_allclose(got[rest], mm[rest], rtol=rtol, atol=1e3 * rtol)


def _assert_same_bits(a, b):
    """``a`` and ``b`` equal bit for bit (the sign of zeros included), NaN matching any NaN
    (which operand's NaN an add passes on is the compiler's choice)."""
    same = a.view(np.uint8).reshape(a.shape + (-1,)) == b.view(np.uint8).reshape(b.shape + (-1,))
    ok = same.all(axis=-1) | (np.isnan(a) & np.isnan(b) if a.dtype.kind == "f" else False)
    assert ok.all(), (a[~ok][:5], b[~ok][:5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.int32, np.uint64, "float32,float64", "bool,int32"])
def test_short_rows_end_to_end_equal_the_single_row_dots_bit_for_bit(dtype):
    """Row dots of 2 to ``short_k_max(W)`` elements whose rows lie end to end run ``W`` rows at a
    time (``vector.short_rows``); every row's sum is the single row dot's, bit for bit but for
    NaN's payload (the same rows read through a wider array take the single dots), with +-0,
    +-inf and NaN,
    for batch sizes around ``W`` and parallel ones, into a strided ``out`` too, and from an ``x``
    at an odd address."""
    xd, yd = (dtype.split(",") * 2)[:2] if isinstance(dtype, str) else (dtype, dtype)
    rng = np.random.default_rng(13)
    res = np.result_type(np.dtype(xd), np.dtype(yd))
    w = vector.VECTOR_BYTES // max(res.itemsize, 4)
    for K in range(1, vector.short_k_max(w) + 3):
        for B in (1, w - 1, w, 2 * w + 3, 20011):
            xw, yw = _values(rng, (B, K + 5), xd), _values(rng, (B, K + 5), yd)
            if res.kind == "f":
                xw, yw = _specials(rng, xw), _specials(rng, yw)
            x, y = np.ascontiguousarray(xw[:, :K]), np.ascontiguousarray(yw[:, :K])
            got, single = batch_dot(x, y, 1), batch_dot(xw[:, :K], yw[:, :K], 1)
            _assert_same_bits(got, single)
            with np.errstate(invalid="ignore", over="ignore"):
                assert_batch_dot_close(got, x, y, 1)
            out = np.zeros((B, 3), res)[:, 1:2]
            _assert_same_bits(batch_dot(x, y, 1, out=out), single)
            raw = np.zeros(x.nbytes + 1, np.uint8)[1:]  # x at an odd address
            odd = np.ndarray(x.shape, x.dtype, buffer=raw)
            odd[...] = x
            _assert_same_bits(batch_dot(odd, y, 1), single)
    assert all(ok for key, ok in _verified.items() if key[0] == "rowdot")


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.int32, np.uint64, "float32,float64", "bool,int32"])
def test_short_dots_against_one_row_equal_the_single_dots_bit_for_bit(dtype):
    """On the dots, rows of 2 to ``short_k_max(W)`` elements lying end to end run ``W`` at a time
    against one row (``vector.short_rows_one``): rows of ``x`` against one column (``N == 1``,
    from ``W`` rows of an element on) and rows of ``y`` against each row of ``x`` (from ``W``
    columns on, the last block overlapping the one before).  Every sum is the single dot's, bit
    for bit but for NaN's payload (the same rows read through wider arrays take the single
    dots), with +-0, +-inf and NaN, serial and parallel, into a strided ``out`` (untouched
    between the result's elements) and from operands at odd addresses."""
    xd, yd = (dtype.split(",") * 2)[:2] if isinstance(dtype, str) else (dtype, dtype)
    rng = np.random.default_rng(17)
    res = np.result_type(np.dtype(xd), np.dtype(yd))
    w = vector.VECTOR_BYTES // max(res.itemsize, 4)
    shapes = [(3, w - 1, 1), (3, w, 1), (3, 2 * w - 1, 1), (2, 2 * w + 3, 1), (2000, 3 * w + 1, 1),
              (2, 1, w - 1), (2, 1, w), (3, 2, w + 1), (2, 3, 2 * w + 3), (1500, 1, 2 * w + 1)]
    for K in range(1, vector.short_k_max(w) + 3):
        for B, M, N in shapes:
            xw, yw = _values(rng, (B, M, K + 5), xd), _values(rng, (B, N, K + 5), yd)
            if res.kind == "f":
                xw, yw = _specials(rng, xw), _specials(rng, yw)
            x, y = np.ascontiguousarray(xw[..., :K]), np.ascontiguousarray(yw[..., :K])
            single = batch_dot(xw[..., :K], yw[..., :K], (2, 2), kernel="dot")
            got = batch_dot(x, y, (2, 2), kernel="dot")
            _assert_same_bits(got, single)
            with np.errstate(invalid="ignore", over="ignore"):
                assert_batch_dot_close(got, x, y, (2, 2))
            wide = np.full((B, M, 2 * N), 7, res)
            batch_dot(x, y, (2, 2), out=wide[..., ::2], kernel="dot")
            _assert_same_bits(np.ascontiguousarray(wide[..., ::2]), single)
            assert (wide[..., 1::2] == 7).all()
            odd = []
            for a in (x, y):
                raw = np.zeros(a.nbytes + 1, np.uint8)[1:]  # at an odd address
                odd.append(np.ndarray(a.shape, a.dtype, buffer=raw))
                odd[-1][...] = a
            _assert_same_bits(batch_dot(*odd, (2, 2), kernel="dot"), single)
    assert all(ok for key, ok in _verified.items() if key[0] == "dot")
    assert any(key[0] == "dot" and key[-1] for key in _verified), "the short rows' span never ran"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8, np.int64, bool])
def test_fortran_ordered_row_dots_are_read_down_their_columns(dtype):
    """Rank-2 operands with a unit-stride batch axis (a pandas frame's ``to_numpy()``): rowdot's
    column kernel reads them in place (no copy), full and partial blocks, K in blocks,
    serial and parallel; bool results keep the row kernel's count, on a copy."""
    rng = np.random.default_rng(7)
    for B, K in [(1, 7), (3, 2), (131, 37), (70, 300), (5000, 9), (64, 1)]:
        x, y = np.asfortranarray(_values(rng, (B, K), dtype)), np.asfortranarray(_values(rng, (B, K), dtype))
        for out in (None, np.zeros((B, 2), np.dtype(dtype))[:, :1], np.zeros((B, 1), np.dtype(dtype))):
            got = batch_dot(x, y, 1) if out is None else batch_dot(x, y, 1, out=out)
            assert_batch_dot_close(got, x, y, 1)
        xk, yk = x[:, None, :], y[:, :, None]
        family = choose_kernel(B, 1, K, 1, xk, yk, np.dtype(dtype), np.dtype(dtype), rank2=True)
        columns = by_columns(K, x.strides[0], x.strides[1], x.itemsize, y.strides[0], y.strides[1], y.itemsize,
                             dtype is bool)
        if dtype is bool:  # the row kernel, only where the contracted axis is unit-stride
            assert (family == "rowdot") == (K == 1 or x.strides[1] == x.itemsize) and not columns
        else:  # rowdot, reading both operands in place: by columns unless K is unit-stride too
            assert family == "rowdot" and cpu._needs_staging("rowdot", x, y, np.dtype(dtype), columns) == (False, False)
            assert columns == (B > 1 and K > 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, bool, np.complex64])
def test_fortran_ordered_vector_matrix_products_are_read_down_their_columns(dtype):
    """x (B, K) and y (B, N, K) with a unit-stride batch axis (Fortran order): the dot family's
    column path reads them in place (no copy) a block of batch elements and one column of
    out at a time, K in blocks, into any out; bool results and complex operands (no column
    kernel) take the row dots on copies."""
    rng = np.random.default_rng(8)
    for B, N, K in [(1, 3, 7), (3, 1, 2), (131, 5, 37), (70, 9, 300), (2000, 33, 9), (64, 4, 1)]:
        x, y = np.asfortranarray(_values(rng, (B, K), dtype)), np.asfortranarray(_values(rng, (B, N, K), dtype))
        res = np.result_type(x, y)
        for out in (None, np.zeros((B, 2 * N), res)[:, ::2], np.zeros((N, B), res).T):
            got = batch_dot(x, y, (1, 2)) if out is None else batch_dot(x, y, (1, 2), out=out)
            assert_batch_dot_close(got, x, y, (1, 2))
        x3, yk = x[:, None, :], y  # the dot family's own operands: (B, 1, K) and (B, N, K)
        family = choose_kernel(B, 1, K, N, x3, y.transpose(0, 2, 1), res, res)
        staged = cpu._needs_staging("dot", x3, yk, res)
        if B > 1 and K > 1:  # (a single batch element or K = 1: no column layout to speak of)
            if np.dtype(dtype).kind in "bc":  # no column kernel: never the dots in place
                assert family != "dot" or staged == (True, True)
            else:
                assert family == "dot" and staged == (False, False)


@pytest.mark.parametrize("xd, yd, dtype", [("float32", "float32", None), ("float64", "float32", None),
                                           ("int8", "int8", None), ("uint8", "int16", "int8"),
                                           ("bool", "bool", None), ("float16", ">f4", None), ("int32", "float64", None),
                                           ("float16", "float16", None), ("float32", "float32", "float16")])
def test_products_of_one_term_over_one_row_or_column_multiply(xd, yd, dtype):
    """K == 1 with one row or one column (choose.scales) runs np.multiply of the broadcast
    views (cpu._runner_scaled): exact against the float64 / integer reference, integers wrap
    like NumPy's, operands of any layout (a transposed view, a step), into out= too, no
    warnings where a product overflows; one element a batch element from
    ``choose.K1_SINGLE_MIN`` batch elements on; two rows and columns, and fewer single
    elements, stay on the kernels."""
    rng = np.random.default_rng(11)
    res = np.dtype(dtype) if dtype else np.result_type(np.dtype(xd), np.dtype(yd))

    def draw(shape, dt):
        return (rng.standard_normal(shape) * 60).astype(dt) if np.dtype(dt).kind != "b" else rng.random(shape) < 0.5

    cases = [(draw((300, 1), xd), draw((300, 12, 1), yd), (1, 2)),  # one row: x a scalar per batch element
             (draw((300, 7, 1), xd), draw((300, 1), yd), (2, 1)),  # one column
             (draw((1, 900), xd).T[::3], draw((300, 1, 5), yd), (1, 1)),  # x a transposed, strided view
             (draw((600, 1), xd), draw((600, 1), yd), (1, 1)),  # one element a batch element: from K1_SINGLE_MIN
             (draw((1200, 1), xd)[::2], draw((600, 1, 1), yd), (1, 1))]
    assert 300 < choose.K1_SINGLE_MIN <= 600
    for x, y, axes in cases:
        got = batch_dot(x, y, axes, dtype=dtype)
        assert _api._RUNNERS[_api._runner_key(x, y, axes, dtype, None)].family == "multiply"
        spec = {(1, 2): "bk,bnk->bn", (2, 1): "bmk,bk->bm", (1, 1): "bk,bkn->bn" if y.ndim == 3 else "bk,bk->b"}[axes]
        # float16 results: the kernels' float32 product, rounded to float16
        wide = np.float32 if res == np.float16 else np.float64 if res.kind in "fb" else np.int64
        want = np.einsum(spec, x.astype(wide), y.astype(wide)).reshape(got.shape)
        if res.kind == "b":
            want = want != 0
        np.testing.assert_array_equal(got, want.astype(res))
        out = np.empty(got.shape, res)
        assert batch_dot(x, y, axes, dtype=dtype, out=out) is out
        np.testing.assert_array_equal(out, got)
    if res.kind == "f":
        big = np.full((4, 1), np.finfo(res).max / 2, res)
        got = batch_dot(big, np.full((4, 3, 1), 4, res), (1, 2))  # overflows to inf, silently (filterwarnings: error)
        assert np.isinf(got).all()
    two = draw((50, 2, 1), xd), draw((50, 1, 3), yd)
    batch_dot(*two, dtype=dtype)
    assert _api._RUNNERS[_api._runner_key(*two, None, dtype, None)].family != "multiply"
    few = draw((300, 1), xd), draw((300, 1), yd)  # single elements below K1_SINGLE_MIN: the row dots
    batch_dot(*few, 1, dtype=dtype)
    assert _api._RUNNERS[_api._runner_key(*few, 1, dtype, None)].family != "multiply"


def _specials(rng, v):
    """``v`` with about one element in eight set to +-0, +-inf or NaN (real and imaginary parts)."""
    flat = v.reshape(-1)
    at = rng.integers(0, flat.size, max(1, flat.size // 8))
    flat[at] = rng.choice(np.array([0.0, -0.0, np.inf, -np.inf, np.nan]), at.size).astype(v.dtype)
    return v


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.complex128, bool])
def test_tiny_calls_equal_the_same_products_in_a_large_call(dtype):
    """Tiny calls (``choose.tiny``) run scalar loops that must compute bit for bit what the
    family they stand for computes for the same batch elements in a large call: products as
    the tiles, float16 row dots in the dots' lane order (K across their lane slots included),
    special values and strided layouts too; ``out=`` of any strides is written directly."""
    rng = np.random.default_rng(31)
    dt = np.dtype(dtype)
    ranks = (2, 3) if dt == np.float16 else (3,)
    seen = []
    for trial in range(60):
        rank = ranks[trial % len(ranks)]
        if rank == 2:
            B = int(rng.integers(1, 4))
            K = int(rng.integers(1, 200 // B))
            xs, ys, axes = (B, K), (B, K), 1
        elif trial % 5 == 4:  # products the tiles may fuse (float16 within the tiny limit): not tiny
            B, M, N, K = 1, int(rng.choice([16, 24])), int(rng.choice([16, 24, 32])), 2
            xs, ys, axes = (B, M, K), (B, K, N), None
        else:
            B, M, N = (int(v) for v in rng.integers(1, 5, 3))
            K = int(rng.integers(1, max(2, choose.TINY_MADDS // (B * M * N))))
            xs, ys, axes = (B, M, K), (B, K, N), None
        x, y = _values(rng, xs, dtype), _values(rng, ys, dtype)
        if dt.kind in "fc":
            x, y = _specials(rng, x), _specials(rng, y)
        if trial % 3 == 1:  # strided operands, read in place
            x = np.repeat(x, 2, axis=0)[::2]
            y = np.asfortranarray(y) if rank == 3 else y
        with np.errstate(all="ignore"):
            got = batch_dot(x, y, axes)
            family = _family_used(x, y, axes)
            fill = 4000 // max(1, int(np.prod(xs[1:])))  # the same elements in a call past the tiny size
            X = np.concatenate([x, _values(rng, (fill,) + xs[1:], dtype)])
            Y = np.concatenate([y, _values(rng, (fill,) + ys[1:], dtype)])
            # (one row by one column: the row dots on the rank-2 views, choose.row_dots)
            rows = rank == 2 or xs[1] == ys[2] == 1
            want = batch_dot(X, Y, axes, kernel="rowdot" if rank == 2 else (None if rows else "tile"))[:B]
            out = np.zeros(got.shape + (2,), got.dtype)[..., 0]
            assert batch_dot(x, y, axes, out=out) is out
        if family in ("dot", "multiply", "generic", "tile", "rowdot"):  # the engine's other choices for such shapes stay
            continue
        seen.append(family)
        for a in (got, out):
            assert a.dtype == want.dtype and a.shape == want.shape
            if dt.kind == "c":  # NaN's sign bit may differ (the tiles negate by a sign flip)
                np.testing.assert_array_equal(a, want)
                finite = ~np.isnan(want)
                np.testing.assert_array_equal(a[finite].view(np.uint8), want[finite].view(np.uint8))
            else:
                np.testing.assert_array_equal(np.ascontiguousarray(a).view(np.uint8), want.view(np.uint8))
    assert set(seen) == {"half" if dt == np.float16 else "tiny"} and len(seen) >= 25


def test_tiny_calls_keep_their_limits():
    """The tiny loops take only what they compute exactly as the vector families and faster:
    not past ``choose.TINY_MADDS``, not mixed dtypes, not integers, not row dots but float16
    ones (the dots' own call is as short), not operands stored out of order."""
    rng = np.random.default_rng(32)
    x, y = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 8, 4))
    assert choose.TINY_MADDS == 256 and 2 * 4 * 8 * 4 <= 256
    batch_dot(x, y)
    assert _family_used(x, y) == "tiny"
    big = rng.standard_normal((3, 4, 8))
    batch_dot(big, rng.standard_normal((3, 8, 4)))
    assert _family_used(big, rng.standard_normal((3, 8, 4))) != "tiny"  # 384 multiply-adds
    batch_dot(x.astype(np.float32), y)
    assert _family_used(x.astype(np.float32), y) != "tiny"
    i = x.astype(np.int32)
    np.testing.assert_array_equal(batch_dot(i, i.transpose(0, 2, 1)), np.matmul(i, i.transpose(0, 2, 1)))
    assert _family_used(i, i.transpose(0, 2, 1)) not in ("tiny", "half")  # integers keep the tiles
    r = rng.standard_normal((4, 3))
    batch_dot(r, r, 1)
    assert _family_used(r, r, 1) == "rowdot"
    swapped = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)  # x stored (B, K, M)
    np.testing.assert_allclose(batch_dot(swapped, y), np.matmul(x, y), rtol=1e-12)
    h = rng.standard_normal((4, 40)).astype(np.float16)
    assert_batch_dot_close(batch_dot(h, h, 1), h, h, 1)
    assert _family_used(h, h, 1) == "half"
    hr = h[:, ::-1]  # widened into a C-ordered copy, which the dots read by rows: the same sums
    assert_batch_dot_close(batch_dot(h, hr, 1), h, hr, 1)
    assert _family_used(h, hr, 1) == "half"
    for M, N in ((16, 32), (24, 40)):  # where the tiles may fuse multiply-adds, they keep the product
        h3, g3 = rng.standard_normal((1, M, 2)).astype(np.float16), rng.standard_normal((1, 2, N)).astype(np.float16)
        batch_dot(h3, g3)
        assert _family_used(h3, g3) != "half" and tiles.fuses(M, N, vector.lanes(np.float32))
        c3, d3 = rng.standard_normal((1, 16, 2)) + 0j, rng.standard_normal((1, 2, 8)) + 0j  # 2N = 16 reals
        batch_dot(c3, d3)
        assert _family_used(c3, d3) != "tiny"
    one = rng.standard_normal((1, 16, 1)).astype(np.float16)  # one term: fused or not, the same sums
    batch_dot(one, one.transpose(0, 2, 1))
    assert _family_used(one, one.transpose(0, 2, 1)) == "half"
    hf = np.asfortranarray(h)  # widened in Fortran order, which the dots read down the columns
    assert_batch_dot_close(batch_dot(hf, hf, 1), hf, hf, 1)
    assert _family_used(hf, hf, 1) != "half"
