"""The one parallel driver (``batchdot.cpu.chunks``): every family and dtype, any layout."""

import numba
import numpy as np
import pytest

from batchdot import cpu
from batchdot._dtypes import accumulation_dtype
from batchdot.cpu import chunks
from batchdot.cpu.clock import ROW
from batchdot.cpu.jit import compile_for
from batchdot.cpu.kernels import family_kernels, work_items
from batchdot.testing import with_layout

#: (family, x dtype, y dtype, result dtype): one span of each kind.
SPANS = [("tile", np.float32, np.float32, np.float32), ("tile", np.int8, np.int16, np.int32),
         ("tile", np.complex64, np.complex64, np.complex64), ("tile", bool, bool, bool),
         ("dot", np.float64, np.float64, np.float64), ("dot", bool, bool, bool),
         ("rowdot", np.uint8, np.uint8, np.uint32), ("rowdot", bool, bool, bool),
         ("generic", np.float32, np.int64, np.float64), ("generic", np.complex128, np.float32, np.complex128)]


def _operands(family, xd, yd, rng, B=13, M=9, K=21, N=7):
    """Random ``x, yk`` of the family's ranks (small integers: exact in every dtype)."""
    def vals(shape, dt):
        v = rng.integers(0, 2 if np.dtype(dt).kind == "b" else 5, shape)
        return v.astype(dt)
    if family == "rowdot":
        return vals((B, K), xd), vals((B, K), yd), (B, 1)
    yshape = (B, N, K) if family == "dot" else (B, K, N)
    return vals((B, M, K), xd), vals(yshape, yd), (B, M, N)


def _reference(family, x, y, out_dtype):
    wide = np.complex128 if np.dtype(out_dtype).kind == "c" else np.int64
    xw, yw = x.astype(wide), y.astype(wide)
    if family == "rowdot":
        r = (xw * yw).sum(axis=1, keepdims=True)
    elif family == "dot":
        r = np.matmul(xw, yw.transpose(0, 2, 1))
    else:
        r = np.matmul(xw, yw)
    return r != 0 if np.dtype(out_dtype).kind == "b" else r.astype(out_dtype)


@pytest.mark.parametrize("family, xd, yd, od", SPANS)
def test_the_driver_runs_every_kind_of_span_in_any_layout(family, xd, yd, od):
    rng = np.random.default_rng(0)
    x, y, oshape = _operands(family, xd, yd, rng)
    zero = accumulation_dtype(np.dtype(od)).type(0)
    span = family_kernels(family, np.dtype(od))
    entry = cpu.parallel_entry(family, span, (x, y, np.empty(oshape, od), zero))
    want = _reference(family, x, y, od)
    # tile needs unit-stride rows of y and dot/rowdot a unit-stride contracted axis
    y_layouts = ["C", "F", "negative"] if family == "generic" else ["C"]
    for xl in ("C", "F", "negative") if family in ("tile", "generic") else ("C",):
        for yl in y_layouts:
            for ol in ("C", "strided", "F"):
                out = with_layout(np.zeros(oshape, od), ol)
                g = entry(with_layout(x, xl), with_layout(y, yl), out, zero, 5, 2)
                np.testing.assert_array_equal(out, want, err_msg=f"{xl} {yl} {ol}")
                assert g == -1.0 or g > 0.0  # the measured gain, or "no measurement"


def test_one_compiled_driver_serves_every_family_and_dtype():
    rng = np.random.default_rng(1)
    for family, xd, yd, od in SPANS[:5]:
        x, y, oshape = _operands(family, xd, yd, rng)
        zero = accumulation_dtype(np.dtype(od)).type(0)
        span = family_kernels(family, np.dtype(od))
        out = np.zeros(oshape, od)
        compile_for(span, (x, y, out, zero, 0, 1), general=True)  # the serial kernel
        built = len(span.overloads)
        cpu.parallel_entry(family, span, (x, y, out, zero))(x, y, out, zero, 4, 2)
        assert len(span.overloads) == built  # the parallel entry runs the serial kernel's code
        np.testing.assert_array_equal(out, _reference(family, x, y, od))
    assert len(chunks.run_chunks.overloads) == 1


def test_chunks_cover_the_work_items_exactly_once():
    x = np.ones((50, 61, 3), np.float64)
    y = np.ones((50, 3, 2), np.float64)
    span = family_kernels("tile", np.dtype(np.float64))
    entry = cpu.parallel_entry("tile", span, (x, y, np.empty((50, 61, 2)), 0.0))
    assert work_items("tile", 50, 61, 2) > 7
    for nchunks in (1, 2, 7, work_items("tile", 50, 61, 2)):
        out = np.full((50, 61, 2), -1.0)
        entry(x, y, out, 0.0, nchunks, 2)
        assert (out == 3.0).all()


def test_chunks_are_charged_to_the_threads_that_ran_them():
    x = np.ones((64, 64, 16))
    y = np.ones((64, 16, 32))
    span = family_kernels("tile", np.dtype(np.float64))
    entry = cpu.parallel_entry("tile", span, (x, y, np.empty((64, 64, 32)), 0.0))
    stats = np.zeros((numba.get_num_threads(), ROW), np.int64)  # one row per thread of the region
    out = np.zeros((64, 64, 32))
    chunks.compile_driver()(entry.address, chunks.layout(x, y, out), chunks.data_address(x),
                            chunks.data_address(y), chunks.data_address(out), 64, 8, stats)
    assert (out == 16.0).all()
    assert stats[:, 1].sum() == 8 and (stats[:, 0] >= 0).all()  # every chunk charged once
    assert (stats[:, 2:] == 0).all()


@pytest.mark.parametrize("make", [
    lambda: np.arange(24.0).reshape(2, 3, 4),
    lambda: np.arange(24.0).reshape(2, 3, 4)[:, ::-1, 1:],
    lambda: np.asfortranarray(np.ones((5, 6), np.int8))[2:, ::3],
    lambda: np.zeros(7, np.complex64)[3:],
    lambda: np.frombuffer(bytes(64), np.uint8)[5:],  # read-only, memory owned by bytes
])
def test_data_address_is_the_first_elements_address(make):
    a = make()
    assert chunks.data_address(a) == a.__array_interface__["data"][0]
