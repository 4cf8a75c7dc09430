"""float16 <-> float32 conversions of the engine (``batchdot.cpu.halves``) against NumPy's astype."""

import numpy as np
import pytest

from batchdot import batch_dot
from batchdot.cpu import halves
from batchdot.testing import assert_batch_dot_close


def _bits(a):
    return a.view(np.uint16 if a.dtype == np.float16 else np.uint32)


def _same(got, want):
    """Bit-identical, except that a NaN may come back quieted (F16C sets the quiet bit of a
    signalling NaN; NumPy's software conversion keeps it)."""
    assert got.dtype == want.dtype
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    np.testing.assert_array_equal(_bits(got)[~nan], _bits(want)[~nan])


@pytest.mark.parametrize("n", [halves.MIN_SIZE, halves.MIN_SIZE + 7, 100_003])
def test_every_half_widens_and_narrows_like_numpy(n):
    rng = np.random.default_rng(n)
    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16)  # every float16, NaNs included
    h = np.concatenate([every, rng.standard_normal(n).astype(np.float16)])[-max(n, every.size):]
    _same(halves.convert(h, np.float32), h.astype(np.float32))
    # float32 -> float16: ties, overflow to inf, subnormals, NaN payloads, round to nearest even
    with np.errstate(invalid="ignore"):  # inf + (-inf) among every float16
        f = np.concatenate([rng.standard_normal(n) * 70000, rng.standard_normal(n) * 1e-6,
                            every.astype(np.float32) + np.float32(2.0 ** -24)]).astype(np.float32)
    f[:4] = [np.nan, 65519.99, 65520.0, -np.inf]
    with np.errstate(over="ignore"):
        want = f.astype(np.float16)
    _same(halves.convert(f, np.float16), want)


def test_layouts_and_other_dtypes():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((40, 30, 9)).astype(np.float16)
    for view in (a, np.asfortranarray(a), a[:, ::2], a[::-1], a[:1, :1]):
        got = halves.convert(view, np.float32)
        np.testing.assert_array_equal(got, view.astype(np.float32))
        if view.flags.f_contiguous and not view.flags.c_contiguous:
            assert got.flags.f_contiguous  # the copy keeps the order
    ints = np.arange(5000, dtype=np.int32)
    assert halves.convert(ints, np.float64).dtype == np.float64  # not a float16 pair: NumPy's astype


def test_float16_products_through_the_engine():
    rng = np.random.default_rng(2)
    for xs, ys, axes in [((300, 64), (300, 64), 1), ((100, 64), (100, 32, 64), (1, 2)), ((500, 8, 9), (500, 9, 8), None)]:
        x, y = rng.standard_normal(xs).astype(np.float16), rng.standard_normal(ys).astype(np.float16)
        got = batch_dot(x, y, axes)
        assert got.dtype == np.float16
        assert_batch_dot_close(got, x, y, axes)
        assert_batch_dot_close(batch_dot(x, y, axes, dtype=np.float32), x, y, axes, dtype=np.float32)
