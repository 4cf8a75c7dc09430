"""One test per row of the error table, matching the message."""

import numpy as np
import pytest

from batchdot import batch_dot, plan

try:
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover
    from numpy import AxisError


@pytest.mark.parametrize("x, y", [(np.ones(3), np.ones((3, 2))), (np.ones((3, 2)), np.ones(3)),
                                  (np.float64(1), np.ones((3, 2))), (5, 5)])
def test_rank_below_two(x, y):
    with pytest.raises(ValueError, match=r"batch_dot requires inputs of rank >= 2.*got shapes"):
        batch_dot(x, y)


def test_different_batch_sizes():
    with pytest.raises(ValueError, match=r"equal batch sizes.*\(3, 2\) and \(4, 2\) \(3 != 4\)"):
        batch_dot(np.ones((3, 2)), np.ones((4, 2)))


@pytest.mark.parametrize("axes", [0, (0, 1), (1, 0), (-2, 1)])
def test_contracting_batch_axis(axes):
    with pytest.raises(ValueError, match=r"other than the batch axis 0.*np\.expand_dims\(x, 0\)"):
        batch_dot(np.ones((3, 3)), np.ones((3, 3)), axes)


@pytest.mark.parametrize("axes", [2, (1, 5), (-3, 1), (1, -4)])
def test_axis_out_of_range(axes):
    with pytest.raises(AxisError, match=r"batch_dot requires each axis to lie in"):
        batch_dot(np.ones((3, 3)), np.ones((3, 3, 3)), axes)
    assert issubclass(AxisError, ValueError) and issubclass(AxisError, IndexError)


def test_contracted_sizes_differ():
    with pytest.raises(ValueError, match=r"x\.shape\[2\] = 4 and y\.shape\[1\] = 5"):
        batch_dot(np.ones((2, 3, 4)), np.ones((2, 5, 6)))


@pytest.mark.parametrize(
    "axes, exc",
    [
        (((1, 2), 1), ValueError),
        ([[1], [1]], ValueError),
        ((1, 1, 1), ValueError),
        ((1,), ValueError),
        ("1", TypeError),
        (1.0, TypeError),
        ((1.0, 1), TypeError),
        (True, TypeError),
        ((np.True_, 1), TypeError),
        ((None, 1), TypeError),
        (np.array([[1, 1]]), ValueError),
        (np.array([1.0, 1.0]), ValueError),
        ({1, 2}, TypeError),
    ],
)
def test_malformed_axes(axes, exc):
    with pytest.raises(exc, match="batch_dot requires"):
        batch_dot(np.ones((2, 3, 3)), np.ones((2, 3, 3)), axes)


@pytest.mark.parametrize(
    "bad",
    [np.array([[None, 1]], dtype=object), np.array([["a", "b"]]), np.array([[b"a", b"b"]]),
     np.array([["2020-01-01", "2020-01-02"]], dtype="datetime64[D]"), np.zeros((1, 2), dtype="V8"),
     np.zeros((1, 2), dtype=np.longdouble)],
    ids=["object", "str", "bytes", "datetime", "void", "longdouble"],
)
def test_non_numeric_dtypes(bad):
    with pytest.raises(TypeError, match="batch_dot requires numeric"):
        batch_dot(bad, np.ones((1, 2)), 1)
    with pytest.raises(TypeError, match="batch_dot requires numeric"):
        batch_dot(np.ones((1, 2)), bad, 1)


def test_out_wrong_shape():
    with pytest.raises(ValueError, match=r"out of shape \(2, 1\), got out of shape \(2,\)"):
        batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1, out=np.empty(2))


def test_out_wrong_dtype():
    with pytest.raises(TypeError, match=r"out of dtype float64, got out of dtype float32"):
        batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1, out=np.empty((2, 1), np.float32))


def test_out_not_writeable():
    out = np.empty((2, 1))
    out.flags.writeable = False
    with pytest.raises(ValueError, match="writeable out"):
        batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1, out=out)


def test_out_not_an_array():
    with pytest.raises(TypeError, match="out to be a numpy.ndarray"):
        batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1, out=[[0.0], [0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.int64, "bool"])
def test_dtype_not_reachable(dtype):
    with pytest.raises(TypeError, match="same_kind"):
        batch_dot(np.ones((2, 3), np.complex128), np.ones((2, 3)), 1, dtype=dtype)


def test_dtype_not_numeric():
    with pytest.raises(TypeError, match="batch_dot requires numeric"):
        batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1, dtype=object)


def test_plan_rejects_bad_shapes():
    with pytest.raises(ValueError, match="non-negative"):
        plan((2, -1), (2, 3))
    with pytest.raises(TypeError, match="tuple of ints"):
        plan((2, 1.5), (2, 3))


def test_dtype_aliases_are_compared_by_value():
    """np.longlong ('q'), np.ulonglong, np.intc, np.uintc... are their sized dtypes, cache or not."""
    import batchdot._api as api

    for alias in (np.longlong, np.ulonglong, np.intc, np.uintc, np.short, np.ushort, np.byte, np.ubyte):
        x = np.arange(12).reshape(2, 2, 3).astype(alias)
        y = np.ones((2, 3, 2), alias)
        for _ in range(2):  # the validating path, then the call cache
            got = batch_dot(x, y)
            np.testing.assert_array_equal(got, np.matmul(x, y))
            assert got.dtype == np.result_type(x, y)
    api._RUNNERS.clear()  # the outcome never depends on what is in the cache
    q = np.frombuffer(np.arange(6, dtype=np.int64).tobytes(), dtype="q").reshape(2, 3)
    np.testing.assert_array_equal(batch_dot(q, q, 1), (q * q).sum(1, keepdims=True))


@pytest.mark.parametrize("kernel", ["bogus", ["tile"], {}, 3, True, "TILE"])
def test_kernel_not_a_family(kernel):
    with pytest.raises(ValueError, match=r"batch_dot requires kernel to be one of \('generic'"):
        batch_dot(np.ones((3, 2)), np.ones((3, 2)), kernel=kernel)


@pytest.mark.parametrize("kernel", ["bogus", ["tile"]])
def test_kernel_not_a_family_on_the_dask_path(kernel):
    da = pytest.importorskip("dask.array")
    with pytest.raises(ValueError, match=r"batch_dot requires kernel to be one of \('generic'"):
        batch_dot(da.ones((3, 2)), np.ones((3, 2)), kernel=kernel)


def test_result_of_more_axes_than_numpy_allows():
    x_shape, y_shape = (2,) + (1,) * 39, (2,) + (1,) * 29
    with pytest.raises(ValueError, match=r"batch_dot requires a result of at most 64 axes \(NumPy's limit\), got 67"):
        plan(x_shape, y_shape)
    with pytest.raises(ValueError, match=r"batch_dot requires a result of at most 64 axes"):
        batch_dot(np.ones(x_shape), np.ones(y_shape))


@pytest.mark.parametrize("x, y, kernel, message", [
    (np.ones((2, 3), bool), np.ones((2, 3), np.float16), "blas",
     r"batch_dot requires float32, float64, complex64 or complex128 operands .* kernel='blas', got bool, float16 -> float16"),
    (np.ones((2, 3), ">f8"), np.ones((2, 3), complex), "dot", r"kernel='dot', got >f8, complex128 -> complex128"),
    (np.ones((2, 3, 4), np.float16), np.ones((2, 3), np.float16), "rowdot",
     r"rank-2 operands for kernel='rowdot', got float16, float16 -> float16"),
])
def test_a_forced_kernel_names_the_callers_dtypes(x, y, kernel, message):
    with pytest.raises((TypeError, ValueError), match=message):
        batch_dot(x, y, 1, kernel=kernel)
