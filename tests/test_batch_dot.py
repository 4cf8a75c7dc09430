"""batch_dot behaviour: worked examples, dtypes, layouts, zero sizes, out=, threads."""

import threading

import numpy as np
import pytest

from batchdot import batch_dot
from batchdot.testing import LAYOUTS, assert_batch_dot_close, random_case, random_values, with_layout

from strategies import SAME


def test_worked_example_row_dots():
    r = batch_dot(np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]]), axes=1)
    np.testing.assert_array_equal(r, [[17], [53]])
    assert r.shape == (2, 1)


@pytest.mark.parametrize(
    "xs, ys, axes, shape",
    [
        ((32, 20, 1), (32, 30, 20), [1, 2], (32, 1, 30)),
        ((100, 20), (100, 30, 20), (1, 2), (100, 30)),
        ((10, 12, 4, 5), (10, 12, 5, 8), None, (10, 12, 4, 12, 8)),
        ((2, 2, 3), (2, 3, 2), (-1, -2), (2, 2, 2)),
    ],
)
def test_worked_example_shapes(xs, ys, axes, shape):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(xs), rng.standard_normal(ys)
    r = batch_dot(x, y, axes)
    assert r.shape == shape
    assert_batch_dot_close(r, x, y, axes)


def test_worked_example_ones():
    r = batch_dot(np.ones((2, 2)), np.ones((2, 3, 2)), axes=(1, 2))
    np.testing.assert_array_equal(r, [[2, 2, 2], [2, 2, 2]])


def test_shape_inference_walkthrough_values():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((100, 20)), rng.standard_normal((100, 30, 20))
    np.testing.assert_allclose(batch_dot(x, y, (1, 2)), np.einsum("bk,bjk->bj", x, y), rtol=1e-12)


@pytest.mark.parametrize("dtype", SAME, ids=str)
def test_every_dtype_matches_reference_and_matmul_dtype(dtype):
    rng = np.random.default_rng(2)
    x, y = random_values(rng, (7, 3, 5), dtype), random_values(rng, (7, 5, 4), dtype)
    r = batch_dot(x, y)
    assert r.dtype == np.matmul(x, y).dtype
    assert_batch_dot_close(r, x, y)


def test_complex_is_not_conjugated():
    x = np.array([[1j, 2]])
    y = np.array([[1j, 1]])
    np.testing.assert_array_equal(batch_dot(x, y, 1), [[-1 + 2]])


def test_integer_wraparound_matches_numpy():
    x = np.full((2, 3), 100, np.int8)
    r = batch_dot(x, x, 1)
    assert r.dtype == np.int8
    np.testing.assert_array_equal(r[:, 0], np.matmul(x[:, None, :], x[:, :, None])[:, 0, 0])


def test_bool_is_logical():
    x = np.array([[True, False], [False, False]])
    y = np.array([[True, True], [True, True]])
    np.testing.assert_array_equal(batch_dot(x, y, 1), [[True], [False]])


def test_float16_accumulates_in_float32():
    x = np.full((1, 4096), 1.0, np.float16)
    y = np.full((1, 4096), 1.0, np.float16)
    r = batch_dot(x, y, 1)
    assert r.dtype == np.float16 and r[0, 0] == 4096  # float16 sums stall at 2048


def test_dtype_keyword():
    x = np.full((1, 3), 100, np.int8)
    assert batch_dot(x, x, 1, dtype=np.int64)[0, 0] == 30000
    f = np.full((1, 3), 0.1, np.float32)
    r = batch_dot(f, f, 1, dtype=np.float64)
    assert r.dtype == np.float64
    assert r[0, 0] == pytest.approx(3 * float(np.float32(0.1)) ** 2, rel=1e-15)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("axes", [None, (1, 2), (2, 1), (-2, -2)])
def test_memory_layouts(layout, axes):
    rng = np.random.default_rng(3)
    x = with_layout(rng.standard_normal((6, 5, 5)).astype(np.float32), layout)
    y = with_layout(rng.standard_normal((6, 5, 5)).astype(np.float32), layout)
    assert_batch_dot_close(batch_dot(x, y, axes), x, y, axes)


def test_python_lists_and_mixed_inputs():
    r = batch_dot([[1, 2]], np.array([[0.5, 0.25]], np.float32), 1)
    assert r.dtype == np.float64  # int64 x float32 -> float64, as np.matmul
    np.testing.assert_array_equal(r, [[1.0]])


@pytest.mark.parametrize(
    "xs, ys, axes, shape",
    [((0, 3), (0, 3), 1, (0, 1)), ((0, 2, 3), (0, 3, 4), None, (0, 2, 4)), ((2, 0, 3), (2, 3, 4), None, (2, 0, 4))],
)
def test_zero_size_outputs(xs, ys, axes, shape):
    r = batch_dot(np.ones(xs), np.ones(ys), axes)
    assert r.shape == shape


def test_zero_contracted_size_gives_zeros():
    r = batch_dot(np.ones((3, 2, 0)), np.ones((3, 0, 4), np.int32))
    assert r.shape == (3, 2, 4) and r.dtype == np.float64
    np.testing.assert_array_equal(r, 0)


def test_large_enough_for_parallel_split():
    rng = np.random.default_rng(4)
    for xs, ys, axes in [((3, 64, 48), (3, 48, 40), None), ((1, 1, 5000), (1, 5000, 40), None),
                         ((2000, 64), (2000, 64), 1)]:
        x, y = rng.standard_normal(xs), rng.standard_normal(ys)
        assert_batch_dot_close(batch_dot(x, y, axes), x, y, axes)


# -- out= -------------------------------------------------------------------------


def test_out_is_filled_and_returned():
    x, y = np.ones((4, 2, 3)), np.ones((4, 3, 5))
    out = np.empty((4, 2, 5))
    assert batch_dot(x, y, out=out) is out
    np.testing.assert_array_equal(out, 3)


@pytest.mark.parametrize("layout", ["F", "strided", "negative"])
def test_out_with_any_strides(layout):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 3, 5))
    out = with_layout(np.zeros((4, 2, 5)), layout)
    r = batch_dot(x, y, out=out)
    assert r is out
    assert_batch_dot_close(out, x, y)


def test_out_with_unmergeable_strides():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((3, 2, 4, 5)), rng.standard_normal((3, 5, 6))
    out = np.zeros((3, 6, 4, 2)).transpose(0, 3, 2, 1)  # (3, 2, 4, 6), free axes not mergeable
    batch_dot(x, y, out=out)
    assert_batch_dot_close(out, x, y)


def test_out_overlapping_an_input():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 4, 4))
    y = rng.standard_normal((5, 4, 4))
    expected = np.matmul(x, y)
    batch_dot(x, y, out=x)
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-12)
    y2 = rng.standard_normal((5, 4, 4))
    x2 = rng.standard_normal((5, 4, 4))
    expected = np.matmul(x2, y2)
    batch_dot(x2, y2, out=y2[:, ::-1, :][:, ::-1, :])
    np.testing.assert_allclose(y2, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_out_layouts_alternate_on_one_cached_call(dtype):
    """One (x, y) layout, many out layouts: each gets a kernel built for its own layout."""
    rng = np.random.default_rng(11)
    for xs, ys, axes in [((6, 5, 7), (6, 7, 9), None), ((40, 9), (40, 9), 1), ((3000, 4, 8), (3000, 8, 6), None),
                         ((5, 4, 4), (5, 4, 4), None)]:
        x = (rng.standard_normal(xs) * 4).astype(dtype)
        y = (rng.standard_normal(ys) * 4).astype(dtype)
        shape = batch_dot(x, y, axes).shape
        for _ in range(2):
            for layout in ["C", "F", "strided", "negative"]:
                out = with_layout(np.zeros(shape, dtype), layout)
                assert batch_dot(x, y, axes, out=out) is out
                assert_batch_dot_close(out, x, y, axes)
            if x.shape == shape:  # out overlapping an input: computed first, then copied in
                xc = x.copy()
                batch_dot(xc, y, axes, out=xc)
                np.testing.assert_array_equal(xc, batch_dot(x, y, axes))


@pytest.mark.parametrize("shape", [(5, 20, 20), (300, 4, 4), (6, 4)])
def test_out_overlap_is_judged_every_call_on_a_cached_layout(shape):
    """``out`` is checked and its kernel prepared once per layout (shape, strides, dtype,
    flags), but whether it overlaps an input is judged on every call: three arrays that own
    their memory, the same array as out and input, a view of the input's buffer, an alias
    through a memoryview (``y``: every row of ``out`` needs all of ``y``, so a kernel writing
    into it would read rows it already wrote); and a layout whose out turned read-only is
    rejected again."""
    rng = np.random.default_rng(17)
    axes = 1 if len(shape) == 2 else None

    def fresh():
        return rng.standard_normal(shape), rng.standard_normal(shape)

    x, y = fresh()
    out = np.empty_like(batch_dot(x, y, axes))
    for _ in range(2):  # owned, distinct: the kernel writes out
        x, y = fresh()
        assert batch_dot(x, y, axes, out=out) is out
        assert_batch_dot_close(out, x, y, axes)
    if out.shape == y.shape:
        x, y = fresh()
        want = batch_dot(x, y, axes)
        batch_dot(x, y, axes, out=y)  # out is y: the same layout as before
        np.testing.assert_array_equal(y, want)
        x, y = fresh()
        want = batch_dot(x, y, axes)
        alias = np.frombuffer(memoryview(y), y.dtype).reshape(y.shape)  # y's memory, owned by y
        assert not alias.flags.owndata and np.shares_memory(alias, y)
        batch_dot(x, y, axes, out=alias)
        np.testing.assert_array_equal(y, want)
        buf = rng.standard_normal((2,) + shape)
        x, y = rng.standard_normal(shape), buf[1]
        want = batch_dot(x, y.copy(), axes)
        batch_dot(x, y, axes, out=buf[1])  # another view of the buffer y views
        np.testing.assert_array_equal(buf[1], want)
    ro = np.empty_like(out)
    batch_dot(x, y, axes, out=ro)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writeable out"):
        batch_dot(x, y, axes, out=ro)


def test_out_of_empty_and_k0_results():
    out = np.full((3, 0, 4), 7.0)
    assert batch_dot(np.ones((3, 0, 2)), np.ones((3, 2, 4)), out=out) is out
    out = np.full((3, 2, 4), 7.0)
    for _ in range(2):
        batch_dot(np.ones((3, 2, 0)), np.ones((3, 0, 4)), out=out)
        np.testing.assert_array_equal(out, 0)
        out[...] = 7


def test_out_float16():
    x = np.ones((2, 3), np.float16)
    out = np.empty((2, 1), np.float16)
    batch_dot(x, x, 1, out=out)
    np.testing.assert_array_equal(out, 3)


# -- inputs are not modified ---------------------------------------------------------------


def test_inputs_never_modified_and_readonly_accepted():
    rng = np.random.default_rng(8)
    for _ in range(30):
        x, y, axes = random_case(rng, dtypes=(np.float32, np.int16, np.complex64), layouts=LAYOUTS)
        xc, yc = x.copy(), y.copy()
        r = batch_dot(x, y, axes)
        assert_batch_dot_close(r, x, y, axes)
        np.testing.assert_array_equal(x, xc)
        np.testing.assert_array_equal(y, yc)


# -- threads --------------------------------------------------------------------------


def test_concurrent_calls_from_eight_threads():
    rng = np.random.default_rng(9)
    work = []
    for t in range(8):
        shape = [(64, 32, 48), (2, 100, 300), (4000, 16), (50, 8, 8)][t % 4]
        x = rng.standard_normal(shape)
        y = rng.standard_normal(shape if len(shape) == 2 else (shape[0], shape[2], shape[1]))
        work.append((x, y, np.matmul(x[:, None, :], y[:, :, None]).reshape(-1, 1)
                     if len(shape) == 2 else np.matmul(x, y)))
    errors = []
    barrier = threading.Barrier(8)

    def run(x, y, expected):
        try:
            barrier.wait()
            for _ in range(10):
                np.testing.assert_allclose(batch_dot(x, y), expected, rtol=1e-10, atol=1e-10)
        except Exception as e:  # collected and re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=w) for w in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_dtype_and_axes_spellings_share_one_cached_call(monkeypatch):
    """dtype=np.float64, "float64" and np.dtype("float64"), axes [1, 1] and (1, 1): one runner each."""
    from batchdot import _api as _dispatch

    monkeypatch.setattr(_dispatch, "_RUNNERS", {})
    rng = np.random.default_rng(13)
    x, y = rng.standard_normal((5, 7)).astype(np.float32), rng.standard_normal((5, 7)).astype(np.float32)
    expected = batch_dot(x, y, (1, 1), dtype=np.dtype(np.float64))
    for dtype in (np.float64, "float64", np.dtype("float64"), float):
        for axes in ([1, 1], (1, 1)):
            got = batch_dot(x, y, axes, dtype=dtype)
            assert got.dtype == np.float64
            np.testing.assert_array_equal(got, expected)
    assert len(_dispatch._RUNNERS) == 1
    with pytest.raises(TypeError, match="dtype"):
        batch_dot(x, y, 1, dtype="not a dtype")
    with pytest.raises(TypeError, match="dtype"):
        batch_dot(x, y, 1, dtype=np.int8)  # not reachable by same-kind casting from float32


def test_calls_off_the_short_path_reuse_their_runner(monkeypatch, tmp_path):
    """Calls the short key cannot take (NumPy-integer or array axes, lists, ndarray
    subclasses, device='cpu' with host arrays) are keyed on what they resolve to: each builds
    its runner once (a rebuild cost 35-38 us a tiny call), and a call that resolves to other
    axes or dtypes gets its own; bool axes are still rejected."""
    from batchdot import _api, cpu

    monkeypatch.setattr(_api, "_RUNNERS", {})
    built = []
    real = cpu.runner
    monkeypatch.setattr(cpu, "runner", lambda *a, **k: built.append(a[0].axes) or real(*a, **k))
    rng = np.random.default_rng(23)
    x, y = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    mm = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=x.dtype, shape=x.shape)
    mm[...] = x
    want = (x * y).sum(1, keepdims=True)
    forms = [dict(axes=np.int64(1)), dict(axes=np.array([1, -1])), dict(axes=(np.int32(1), 1)), dict(x=x.tolist()),
             dict(x=mm), dict(device="cpu"), dict(device="cpu", axes=(1, 1))]
    for form in forms:
        built.clear()
        for _ in range(3):
            args = dict(x=x, axes=1)
            args.update(form)
            got = batch_dot(args.pop("x"), y, **args)
            np.testing.assert_allclose(got, want, rtol=1e-12)
        assert len(built) <= 1, (form, built)
    xt = np.ascontiguousarray(x.T).T  # other strides: another runner
    built.clear()
    np.testing.assert_allclose(batch_dot(xt, y, np.int64(1)), want, rtol=1e-12)
    assert len(built) == 1
    got = batch_dot(x, y, np.int64(1), dtype=np.float32)  # another dtype: another runner
    assert got.dtype == np.float32 and len(built) == 2
    with pytest.raises((TypeError, ValueError), match="batch_dot requires"):
        batch_dot(x, y, np.array([True, True]))
    with pytest.raises(TypeError, match="bool"):
        batch_dot(x, y, True)
