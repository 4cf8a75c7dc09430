"""batchdot.dask: lazy batch_dot on Dask arrays (chunking, dtypes, axes, errors, schedulers).

Every result is compared with the independent reference of :mod:`batchdot.testing`.
"""

import io
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import batchdot  # noqa: E402
from batchdot import batch_dot, plan  # noqa: E402
from batchdot.dask import batch_dot as dask_batch_dot  # noqa: E402
from batchdot.dask import choose_chunks  # noqa: E402
from batchdot.testing import LAYOUTS, assert_batch_dot_close, random_case, random_values, with_layout  # noqa: E402

from strategies import DTYPE_PAIRS, chunkings, shapes_and_axes  # noqa: E402

try:
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover
    from numpy import AxisError


def _compute(r, scheduler="sync"):
    return r.compute(scheduler=scheduler)


def _layers(r):
    return list(r.__dask_graph__().layers)


def _is_split(r):
    """Whether the graph sums partial products over a split contracted axis."""
    return any(name.startswith("batch_dot-partial") for name in _layers(r))


def random_chunks(rng, shape):
    """Random, generally uneven chunks of every axis."""
    chunks = []
    for s in shape:
        if s <= 1:
            chunks.append((s,))
            continue
        n = int(rng.integers(1, s + 1))
        cuts = np.sort(rng.choice(np.arange(1, s), size=n - 1, replace=False))
        chunks.append(tuple(int(c) for c in np.diff([0, *cuts, s])))
    return tuple(chunks)


# --------------------------------------------------------------------------- chunkings

RNG_SHAPES = ((10, 6, 7), (10, 7, 5))

CHUNKINGS = {
    # name: (x chunks, y chunks, array.chunk-size limit)
    "one chunk": ((10, 6, 7), (10, 7, 5), "128MiB"),
    "uneven": (((3, 3, 4), (1, 5), (2, 2, 3)), ((4, 1, 5), (7,), (3, 2)), "128MiB"),
    "batch misaligned": (((5, 5), 6, 7), ((3, 3, 3, 1), 7, 5), "128MiB"),
    "contracted chunked, merged": ((10, 6, (3, 4)), (10, (1, 1, 5), 5), "128MiB"),
    "contracted split along x": (((5, 5), 6, (3, 4)), ((2, 8), (7,), 5), "1KiB"),
    "contracted split evenly": ((5, 6, 7), (5, 7, 5), "400B"),
    "contracted split, free chunked": (((3, 3, 4), (1, 5), (2, 2, 3)), ((4, 1, 5), (7,), (3, 2)), "200B"),
    "free axes chunked": (((5, 5), (2, 2, 2), 7), ((5, 5), 7, (2, 3)), "1KiB"),
    "one batch per chunk": ((1, 6, 7), (1, 7, 5), "128MiB"),
}


@pytest.mark.parametrize("name", list(CHUNKINGS))
@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_chunkings(name, scheduler):
    xc, yc, limit = CHUNKINGS[name]
    rng = np.random.default_rng(0)
    xn, yn = rng.standard_normal(RNG_SHAPES[0]), rng.standard_normal(RNG_SHAPES[1])
    x, y = da.from_array(xn, chunks=xc), da.from_array(yn, chunks=yc)
    with dask.config.set({"array.chunk-size": limit}):
        r = batch_dot(x, y)
    assert isinstance(r, da.Array)
    assert r.shape == (10, 6, 5) and r.dtype == np.float64
    assert r.chunks[0] == x.chunks[0]  # batch chunks follow x
    assert_batch_dot_close(_compute(r, scheduler), xn, yn)
    assert _is_split(r) == ("split" in name)


def test_split_contracted_axis_is_a_tree_reduction():
    # 16 pieces of the contracted axis: no task may read more than a few partial products
    rng = np.random.default_rng(1)
    xn, yn = rng.standard_normal((4, 3, 64)), rng.standard_normal((4, 64, 2))
    x, y = da.from_array(xn, chunks=(4, 3, 4)), da.from_array(yn, chunks=(4, 4, 2))
    with dask.config.set({"array.chunk-size": "400B"}):
        r = batch_dot(x, y)
    assert _is_split(r)
    graph = dict(r.__dask_graph__())
    from dask.core import get_dependencies

    fan_in = max(len(get_dependencies(graph, k)) for k in graph)
    assert fan_in <= 8, fan_in
    assert_batch_dot_close(_compute(r), xn, yn)


def test_blocks_stay_within_the_limit():
    # A batch element (32 kB of x) larger than the 4 KiB limit: the contracted axis is split
    # into the fewest equal pieces that fit, 8 pieces of 125 (x blocks 1*4*125*8 = 4000 B)
    rng = np.random.default_rng(2)
    xn, yn = rng.standard_normal((2, 4, 1000)), rng.standard_normal((2, 1000, 3))
    x, y = da.from_array(xn, chunks=(1, 4, 1000)), da.from_array(yn, chunks=(1, 1000, 3))
    with dask.config.set({"array.chunk-size": "4KiB"}):
        r = batch_dot(x, y)
    graph = r.__dask_graph__()
    (name,) = [n for n in graph.layers if n.startswith("batch_dot-partial")]
    keys = [k for k in graph.layers[name].keys()]
    assert len({k[1] for k in keys}) == 8  # pieces of the contracted axis
    assert len(keys) == 8 * 2  # times the batch blocks
    assert_batch_dot_close(_compute(r), xn, yn)


# --------------------------------------------------------------------------- choose_chunks


def test_choose_chunks_rules():
    p = plan((10, 6, 7), (10, 7, 5))
    xc = ((3, 3, 4), (1, 5), (2, 2, 3))
    yc = ((4, 1, 5), (7,), (3, 2))
    # everything small: batch follows x, contracted and free axes whole
    assert choose_chunks(p, xc, yc, (8, 8, 8), 1 << 20) == (
        ((3, 3, 4), (6,), (7,)),
        ((3, 3, 4), (7,), (5,)),
    )
    # follow y's batch chunks instead
    assert choose_chunks(p, xc, yc, (8, 8, 8), 1 << 20, follow="y")[0][0] == (4, 1, 5)
    # contracted axis too large whole (4*5*7*8 = 1120 B > 1000): x's chunks (4*5*3*8 = 480 B)
    nx, ny = choose_chunks(p, xc, yc, (8, 8, 8), 1000)
    assert nx[2] == ny[1] == (2, 2, 3)
    # x's contracted chunks too large as well: split into equal pieces that fit
    nx, ny = choose_chunks(p, xc, yc, (8, 8, 8), 200)
    assert nx[2] == ny[1] and sum(nx[2]) == 7
    assert max(nx[2]) * 4 * 5 * 8 <= 200
    # free axes keep their chunks when whole ones would not fit
    assert nx[1] == (1, 5) and ny[2] == (3, 2)


# --------------------------------------------------------------------------- dtypes, axes


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.complex128, np.bool_,
                                   np.float16, np.uint8, np.int64])
@pytest.mark.parametrize("limit", ["128MiB", "64B"])
def test_dtypes(dtype, limit):
    rng = np.random.default_rng(3)
    xn = random_values(rng, (6, 4, 9), dtype)
    yn = random_values(rng, (6, 9, 3), dtype)
    x, y = da.from_array(xn, chunks=(4, 3, 4)), da.from_array(yn, chunks=(3, 4, 2))
    with dask.config.set({"array.chunk-size": limit}):
        r = batch_dot(x, y)
    assert r.dtype == np.result_type(xn, yn)
    assert _is_split(r) == (limit == "64B")
    got = _compute(r)
    assert got.dtype == r.dtype
    assert_batch_dot_close(got, xn, yn)
    if got.dtype.kind in "biu" or limit != "64B":  # a split sum rounds in another order
        np.testing.assert_array_equal(got, batch_dot(xn, yn))


@pytest.mark.parametrize("xd, yd, dtype", [(np.float32, np.float32, np.float64),
                                           (np.int8, np.int8, np.int64),
                                           (np.float16, np.float16, None),
                                           (np.float32, np.float32, np.float16)])
def test_dtype_keyword(xd, yd, dtype):
    rng = np.random.default_rng(4)
    xn, yn = random_values(rng, (5, 3, 40), xd), random_values(rng, (5, 40, 2), yd)
    x, y = da.from_array(xn, chunks=(2, 3, 7)), da.from_array(yn, chunks=(2, 7, 2))
    with dask.config.set({"array.chunk-size": "100B"}):
        r = batch_dot(x, y, dtype=dtype)
    assert _is_split(r)
    got = _compute(r)
    assert_batch_dot_close(got, xn, yn, dtype=dtype)
    assert got.dtype == batch_dot(xn, yn, dtype=dtype).dtype


@pytest.mark.parametrize(
    "xs, ys, axes, shape",
    [
        ((2, 2), (2, 2), 1, (2, 1)),
        ((32, 20, 1), (32, 30, 20), [1, 2], (32, 1, 30)),
        ((100, 20), (100, 30, 20), (1, 2), (100, 30)),
        ((10, 12, 4, 5), (10, 12, 5, 8), None, (10, 12, 4, 12, 8)),
        ((2, 2, 3), (2, 3, 2), (-1, -2), (2, 2, 2)),
        ((4, 3), (4, 5, 3), np.array([1, 2]), (4, 5)),
        ((4, 3, 5), (4, 5), None, (4, 3)),
        ((4, 3, 5), (4, 3, 6), np.int64(1), (4, 5, 6)),
    ],
)
@pytest.mark.parametrize("limit", ["128MiB", "512B"])
def test_axes_forms(xs, ys, axes, shape, limit):
    rng = np.random.default_rng(5)
    xn, yn = rng.standard_normal(xs), rng.standard_normal(ys)
    x, y = da.from_array(xn, chunks=5), da.from_array(yn, chunks=3)
    with dask.config.set({"array.chunk-size": limit}):
        r = batch_dot(x, y, axes)
    assert r.shape == shape
    assert_batch_dot_close(_compute(r, "threads"), xn, yn, axes)


def test_random_cases():
    """Random shapes (zero sizes included), axes forms, dtypes, layouts, chunks and limits."""
    rng = np.random.default_rng(6)
    dtypes = (np.float64, np.float32, np.int32, np.complex128, np.bool_)
    layouts = ("C", "F", "strided", "bigendian", "readonly")
    for _ in range(60):
        xn, yn, axes = random_case(rng, max_rank=4, max_size=5, dtypes=dtypes, layouts=layouts)
        x = da.from_array(xn, chunks=random_chunks(rng, xn.shape))
        y = da.from_array(yn, chunks=random_chunks(rng, yn.shape))
        limit = ["128MiB", "64B", "300B"][rng.integers(3)]
        with dask.config.set({"array.chunk-size": limit}):
            r = batch_dot(x, y, axes)
        assert r.shape == plan(xn.shape, yn.shape, axes).out_shape
        assert_batch_dot_close(_compute(r), xn, yn, axes)


@pytest.mark.parametrize("which", ["x", "y"])
def test_numpy_operand_is_wrapped(which):
    rng = np.random.default_rng(7)
    xn, yn = rng.standard_normal((9, 4, 5)), rng.standard_normal((9, 5, 3))
    if which == "x":
        x, y = xn, da.from_array(yn, chunks=(2, 5, 3))
        dask_one = y
    else:
        x, y = da.from_array(xn, chunks=(4, 4, 5)), yn
        dask_one = x
    r = batch_dot(x, y)
    assert isinstance(r, da.Array)
    assert r.chunks[0] == dask_one.chunks[0]  # batch chunks follow the Dask operand
    assert_batch_dot_close(_compute(r), xn, yn)


def test_direct_call_and_meta():
    x, y = da.ones((6, 2, 3), chunks=2), da.ones((6, 3, 4), chunks=2)
    r = dask_batch_dot(x, y)
    assert type(r._meta) is np.ndarray and r._meta.dtype == np.float64 and r._meta.ndim == 3
    np.testing.assert_array_equal(_compute(r), np.full((6, 2, 4), 3.0))
    # blocks of an ndarray subclass still give plain ndarray blocks, as the NumPy path does
    xm = da.from_array(np.ma.masked_array(np.ones((6, 2, 3), np.float32)), chunks=2)
    r = dask_batch_dot(xm, y.astype(np.float32), dtype=np.float64)
    assert type(r._meta) is np.ndarray and r.dtype == np.float64
    got = _compute(r)
    assert type(got) is np.ndarray and got.dtype == np.float64


def test_device_cpu_is_passed_to_blocks():
    rng = np.random.default_rng(8)
    xn, yn = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    r = batch_dot(da.from_array(xn, chunks=2), da.from_array(yn, chunks=2), 1, device="cpu")
    assert_batch_dot_close(_compute(r), xn, yn, 1)


def test_zero_sizes():
    for xs, ys in [((0, 3, 4), (0, 4, 2)), ((3, 0, 4), (3, 4, 2)), ((3, 2, 0), (3, 0, 5))]:
        xn, yn = np.ones(xs), np.ones(ys)
        r = batch_dot(da.from_array(xn, chunks=2), da.from_array(yn, chunks=2))
        got = _compute(r)
        assert got.shape == batch_dot(xn, yn).shape
        np.testing.assert_array_equal(got, batch_dot(xn, yn))


# --------------------------------------------------------------------------- empty chunks


def _masked(a, keep, chunks):
    """``a`` as a Dask array of unknown batch chunks (a Dask boolean mask over a longer
    array holding ``a``'s rows where ``keep``), then ``compute_chunk_sizes()``: empty chunks
    wherever a chunk held no kept row."""
    keep = np.asarray(keep, dtype=bool)
    big = np.zeros((keep.size,) + a.shape[1:], a.dtype)
    big[keep] = a
    d = da.from_array(big, chunks=chunks)
    d = d[da.from_array(keep, chunks=(d.chunks[0],))]
    assert a.shape[0] == 0 or np.isnan(d.shape[0])
    return d.compute_chunk_sizes()


def _check_against_numpy(x, y, xn, yn, axes=None, **kw):
    """The Dask result agrees with the NumPy path in shape, dtype and value, lazily and
    computed, on the synchronous and the threaded scheduler."""
    expected = batch_dot(xn, yn, axes, **kw)
    f = batch_dot if isinstance(x, da.Array) or isinstance(y, da.Array) else dask_batch_dot
    r = f(x, y, axes, **kw)
    assert isinstance(r, da.Array)
    assert r.shape == expected.shape and r.dtype == expected.dtype
    assert all(c for cs in r.chunks[1:] for c in cs) or 0 in r.shape
    for scheduler in ("sync", "threads"):
        got = _compute(r, scheduler)
        assert type(got) is np.ndarray
        assert got.shape == expected.shape and got.dtype == expected.dtype, (got.shape, scheduler)
        assert_batch_dot_close(got, xn, yn, axes, kw.get("dtype"))
        if got.dtype.kind in "biu":
            np.testing.assert_array_equal(got, expected)
    return r


EMPTY_CHUNKS = {
    # name: x chunks, y chunks (shapes (1, 3, 4) and (1, 4, 5)), chunk-size limit
    "size-1 batch among empty chunks": (((0, 1, 0, 0), 3, 4), ((0, 1, 0, 0), 4, 5), "128MiB"),
    "misaligned empty batch chunks": (((1, 0, 0), 3, 4), ((0, 0, 1), 4, 5), "128MiB"),
    "split contracted axis": (((0, 1, 0, 0), 3, (2, 0, 2)), ((0, 1, 0, 0), (0, 2, 2), 5), "40B"),
    "empty free-axis chunks": (((0, 1), (0, 3, 0), 4), ((1, 0), 4, (2, 0, 3)), "128MiB"),
}


@pytest.mark.parametrize("name", list(EMPTY_CHUNKS))
def test_empty_chunks(name):
    """Issue #15: a size-1 axis chunked with empty chunks gave 4 rows instead of 1, or
    failed inside Dask (TypeError of add.reduce on the partial products)."""
    xc, yc, limit = EMPTY_CHUNKS[name]
    rng = np.random.default_rng(20)
    xn, yn = rng.standard_normal((1, 3, 4)), rng.standard_normal((1, 4, 5))
    with dask.config.set({"array.chunk-size": limit}):
        r = _check_against_numpy(da.from_array(xn, chunks=xc), da.from_array(yn, chunks=yc), xn, yn)
    np.testing.assert_allclose(r.sum().compute(), batch_dot(xn, yn).sum())


def test_boolean_mask_then_compute_chunk_sizes():
    """Issue #15's case as a user meets it: a batch filtered down to one element."""
    rng = np.random.default_rng(21)
    xn, yn = rng.standard_normal((4, 3, 4)), rng.standard_normal((4, 4, 5))
    keep = np.array([False, True, False, False])
    x = _masked(xn[keep], keep, chunks=((1, 1, 1, 1), 3, 4))
    y = _masked(yn[keep], keep, chunks=((1, 1, 1, 1), 4, 5))
    assert x.chunks[0] == y.chunks[0] == (0, 1, 0, 0)
    for limit in ("128MiB", "40B"):
        with dask.config.set({"array.chunk-size": limit}):
            _check_against_numpy(x, y, xn[keep], yn[keep])


@pytest.mark.parametrize("xs, ys", [((1, 3, 0), (1, 0, 5)), ((0, 3, 4), (0, 4, 5)),
                                    ((2, 0, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 0))])
def test_empty_chunks_and_zero_sizes(xs, ys):
    """K = 0 among empty batch chunks ("Missing dependency"), and empty NumPy operands beside
    Dask ones under a small chunk-size limit (ZeroDivisionError in da.asarray's chunking)."""
    xn, yn = np.ones(xs), np.ones(ys)
    xc, yc = (((0, a.shape[0], 0),) + tuple((s,) for s in a.shape[1:]) for a in (xn, yn))
    with dask.config.set({"array.chunk-size": "8B"}):
        _check_against_numpy(da.from_array(xn, chunks=xc), yn, xn, yn)
        _check_against_numpy(xn, da.from_array(yn, chunks=2), xn, yn)
        _check_against_numpy(da.from_array(xn, chunks=xc), da.from_array(yn, chunks=yc), xn, yn)


@pytest.mark.parametrize("xs, ys, axes", [((0, 0, 0, 0), (0, 0), (3, 1)), ((0, 3, 0), (0, 0, 4), (2, 1)),
                                          ((0, 2, 3), (0, 3), None)])
def test_zero_size_operands_with_unequal_empty_batch_chunks(xs, ys, axes):
    """A hypothesis draw: x and y of size 0 whose batch axes came out of boolean masks as
    ``(0, 0)`` and ``(0, 0, 0)``. Dask's ``rechunk`` keeps ``(0, 0)`` when asked for ``(0,)``,
    and ``blockwise`` then failed ("Empty tuples are not allowed in chunks")."""
    xn, yn = np.zeros(xs, bool), np.zeros(ys, bool)
    x = _masked(xn, [False] * 2, ((1, 1),) + xs[1:])
    y = _masked(yn, [False] * 3, ((1, 1, 1),) + ys[1:])
    assert x.chunks[0] == (0, 0) and y.chunks[0] == (0, 0, 0)
    for limit in ("128MiB", "1B"):
        with dask.config.set({"array.chunk-size": limit}):
            _check_against_numpy(x, y, xn, yn, axes)


@st.composite
def _dask_operand(draw, a):
    """``a`` as a NumPy operand, a Dask array of random chunks (empty ones included), or a
    Dask array of unknown-then-computed chunk sizes."""
    kind = draw(st.sampled_from(["numpy", "chunks", "chunks", "masked"]))
    if kind == "numpy":
        return a
    if kind == "chunks":
        return da.from_array(a, chunks=draw(chunkings(a.shape)))
    keep = draw(st.permutations([True] * a.shape[0] + [False] * draw(st.integers(0, 3))))
    # no empty chunks in the source: Dask's own boolean indexing miscounts them
    return _masked(a, keep, draw(chunkings((len(keep),) + a.shape[1:], max_empty=0)))


@settings(max_examples=60)
@given(data=st.data())
def test_random_chunkings_agree_with_numpy(data):
    """Random shapes (sizes 0 and 1 included), axes forms, dtypes and layouts; random
    chunkings with empty chunks, unknown-then-computed chunk sizes, NumPy operands (of size
    0 too) beside Dask ones, and limits that split the contracted axis."""
    xs, ys, axes, _ = data.draw(shapes_and_axes(max_rank=4, max_size=3))
    dx, dy = data.draw(st.sampled_from(DTYPE_PAIRS))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    xn = with_layout(random_values(rng, xs, dx), data.draw(st.sampled_from(LAYOUTS)))
    yn = with_layout(random_values(rng, ys, dy), data.draw(st.sampled_from(LAYOUTS)))
    x, y = data.draw(_dask_operand(xn)), data.draw(_dask_operand(yn))
    limit = data.draw(st.sampled_from(["128MiB", "64B", "8B", "1B"]))
    with dask.config.set({"array.chunk-size": limit}):
        _check_against_numpy(x, y, xn, yn, axes)


# --------------------------------------------------------------------------- errors

COMPUTED = []


def _count(block):
    if block.size:  # map_blocks also calls it on zero-size metas while building the graph
        COMPUTED.append(block.shape)
    return block


def _forbidden_scheduler(*args, **kwargs):
    raise AssertionError("something was computed while building the graph")


def lazy(shape, dtype=np.float64):
    """A Dask array that records every block it computes."""
    return da.ones(shape, chunks=2, dtype=dtype).map_blocks(_count, dtype=dtype)


@pytest.fixture
def nothing_computed():
    COMPUTED.clear()
    with dask.config.set(scheduler=_forbidden_scheduler):
        yield
    assert COMPUTED == []


ERRORS = [
    # x shape, y shape, axes, keywords, exception, message
    ((3,), (3, 2), None, {}, ValueError, r"inputs of rank >= 2.*got shapes"),
    ((3, 2), (4, 2), None, {}, ValueError, r"equal batch sizes.*\(3 != 4\)"),
    ((3, 3), (3, 3), (-2, 1), {}, ValueError, r"other than the batch axis 0.*np\.expand_dims"),
    ((3, 3), (3, 3, 3), (1, 5), {}, AxisError, r"each axis to lie in"),
    ((2, 3, 4), (2, 5, 6), None, {}, ValueError, r"x\.shape\[2\] = 4 and y\.shape\[1\] = 5"),
    ((2, 3, 3), (2, 3, 3), ((1, 2), 1), {}, ValueError, r"one axis per operand"),
    ((2, 3, 3), (2, 3, 3), (1, 1, 1), {}, ValueError, r"exactly one axis per operand"),
    ((2, 3, 3), (2, 3, 3), "1", {}, TypeError, r"batch_dot requires axes"),
    ((2, 3, 3), (2, 3, 3), (1.0, 1), {}, TypeError, r"batch_dot requires axes"),
    ((2, 3, 3), (2, 3, 3), True, {}, TypeError, r"integer axes"),
    ((2, 3), (2, 3), 1, {"dtype": np.int64}, None, r"same_kind"),
    ((2, 3), (2, 3), 1, {"dtype": object}, TypeError, r"batch_dot requires numeric"),
    ((2, 3), (2, 3), 1, {"out": np.empty((2, 1))}, TypeError, r"out=None for Dask arrays"),
    ((2, 3), (2, 3), 1, {"device": "tpu"}, ValueError, r"device to be None"),
]


@pytest.mark.parametrize("xs, ys, axes, kw, exc, match", ERRORS)
def test_errors_at_graph_construction(xs, ys, axes, kw, exc, match, nothing_computed):
    x = lazy(xs, np.complex128 if exc is None else np.float64)
    y = lazy(ys)
    with pytest.raises(exc or TypeError, match=match):
        batch_dot(x, y, axes, **kw)
    with pytest.raises(exc or TypeError, match=match):
        dask_batch_dot(x, y, axes, **kw)
    # the NumPy path gives the same exception for the same input
    if "out" not in kw:
        with pytest.raises(exc or TypeError, match=match):
            batch_dot(np.ones(xs, x.dtype), np.ones(ys), axes, **kw)


@pytest.mark.parametrize("dtype", [object, "U1", np.longdouble, "datetime64[D]"])
def test_non_numeric_dtypes(dtype, nothing_computed):
    bad = da.zeros((2, 3), chunks=1, dtype=dtype).map_blocks(_count, dtype=dtype)
    with pytest.raises(TypeError, match="batch_dot requires numeric"):
        batch_dot(bad, lazy((2, 3)), 1)
    with pytest.raises(TypeError, match="batch_dot requires numeric"):
        batch_dot(lazy((2, 3)), bad, 1)


def test_valid_call_builds_without_computing(nothing_computed):
    with dask.config.set({"array.chunk-size": "64B"}):
        r = batch_dot(lazy((6, 5, 8)), lazy((6, 8, 3)))
    assert r.shape == (6, 5, 3) and _is_split(r)


def test_unknown_chunk_sizes():
    xn = np.arange(24.0).reshape(6, 4)
    x = da.from_array(xn, chunks=2)
    xs = x[x[:, 0] > 5]  # boolean indexing: unknown (NaN) chunk sizes
    assert np.isnan(xs.shape[0])
    ys = da.ones((6, 4), chunks=2)[x[:, 0] > 5]
    with pytest.raises(ValueError, match=r"known chunk sizes, got x with chunks \(\(nan.*"
                                         r"call x\.compute_chunk_sizes\(\)"):
        batch_dot(xs, ys, 1)
    with pytest.raises(ValueError, match=r"known chunk sizes, got y .*y\.compute_chunk_sizes"):
        batch_dot(da.ones((4, 4), chunks=2), ys, 1)
    xs.compute_chunk_sizes()
    ys = xs * 2
    assert_batch_dot_close(_compute(batch_dot(xs, ys, 1)), xn[xn[:, 0] > 5], 2 * xn[xn[:, 0] > 5], 1)


class _CudaLike(np.ndarray):
    """An ndarray that claims to live on a CUDA device: a Dask array of such blocks looks,
    while its graph is built, like a Dask array of CuPy blocks."""

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.shape, "typestr": self.dtype.str, "data": (0, False), "version": 3}


class _Duck:
    """A block type that is neither a NumPy nor a CUDA array (as pydata/sparse's ``COO``)."""

    def __init__(self, a):
        self.a, self.shape, self.dtype, self.ndim = a, a.shape, a.dtype, a.ndim

    def __getitem__(self, key):
        return _Duck(self.a[key])

    def astype(self, dtype, **kwargs):
        return _Duck(self.a.astype(dtype))


class _FakeCudaArray:
    """A CUDA device array beside a Dask array (only its interface is ever looked at)."""

    shape, dtype, ndim = (4, 3), np.dtype(np.float64), 2
    __cuda_array_interface__ = {"shape": (4, 3), "typestr": "<f8", "data": (0, False), "version": 3}


def cuda_blocks(shape):
    meta = np.empty((0,) * len(shape)).view(_CudaLike)
    return lazy(shape).map_blocks(lambda b: b.view(_CudaLike), meta=meta)


def _unknown_free_axis():
    x = lazy((4, 3))
    return x[:, da.from_array(np.array([True, False, True]), chunks=2)]


# name: x, y (callables, built under nothing_computed), axes, keywords, exception, message
DASK_ERRORS = {
    "kernel not a family": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"kernel": "bogus"},
                            ValueError, r"kernel to be one of \('generic'.*got 'bogus'"),
    "kernel unhashable": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"kernel": ["dot"]},
                          ValueError, r"kernel to be one of .*got \['dot'\]"),
    "kernel an array": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"kernel": np.array(["dot", "tile"])},
                        ValueError, r"kernel to be one of .*got array"),
    "kernel an int": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"kernel": 1},
                      ValueError, r"kernel to be one of .*got 1"),
    "kernel='dot' on complex and float": (lambda: lazy((4, 3), np.complex128), lambda: lazy((4, 3)), 1, {"kernel": "dot"},
                                          TypeError, r"of one dtype, for kernel='dot', got complex128"),
    "kernel='tile' on complex and float": (lambda: lazy((4, 3), np.complex64), lambda: lazy((4, 3), np.float32), 1,
                                           {"kernel": "tile"}, TypeError,
                                           r"kernel='tile', got complex64, float32 -> complex64"),
    "kernel='rowdot' on rank 3": (lambda: lazy((4, 3, 2)), lambda: lazy((4, 2, 3)), None, {"kernel": "rowdot"},
                                  ValueError, r"rank-2 operands .*kernel='rowdot'"),
    "kernel with device='cuda'": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"kernel": "dot", "device": "cuda"},
                                  ValueError, r"kernel=None on the CUDA path .*got 'dot'"),
    "kernel with CUDA blocks": (lambda: cuda_blocks((4, 3)), lambda: cuda_blocks((4, 3)), 1, {"kernel": "tile"},
                                ValueError, r"kernel=None on the CUDA path .*got 'tile'"),
    "device an array": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"device": np.array(["cpu", "cuda"])},
                        ValueError, r"device to be None, 'cpu' or 'cuda', got array"),
    "device misspelt": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"device": "CPU"},
                        ValueError, r"device to be None, 'cpu' or 'cuda', got 'CPU'"),
    "out a Dask array": (lambda: lazy((4, 3)), lambda: lazy((4, 3)), 1, {"out": da.empty((4, 1))},
                         TypeError, r"out=None for Dask arrays"),
    "CUDA array beside a Dask array": (lambda: lazy((4, 3)), _FakeCudaArray, 1, {},
                                       TypeError, r"beside a Dask array to be a Dask array or a host array, got y"),
    "CUDA array beside a Dask array (x)": (_FakeCudaArray, lambda: lazy((4, 3)), 1, {},
                                           TypeError, r"beside a Dask array .*got x of type _FakeCudaArray"),
    "Dask collection, not an array": (lambda: lazy((4, 3)), lambda: dask.delayed(np.ones((4, 3))), 1, {},
                                      TypeError, r"Dask operands to be dask.array.Array, got y of type dask\.delayed"),
    "host blocks beside CUDA blocks": (lambda: lazy((4, 3)), lambda: cuda_blocks((4, 3)), 1, {},
                                       ValueError, r"both with host blocks or both with CUDA blocks, got x with "
                                                   r"host blocks and y with CUDA blocks"),
    "NumPy operand beside CUDA blocks": (lambda: np.ones((4, 3)), lambda: cuda_blocks((4, 3)), 1, {},
                                         ValueError, r"both with host blocks or both with CUDA blocks"),
    "CUDA blocks with device='cpu'": (lambda: cuda_blocks((4, 3)), lambda: cuda_blocks((4, 3)), 1,
                                      {"device": "cpu"}, ValueError, r"host arrays, out included, with device='cpu'"),
    "blocks neither NumPy nor CUDA": (lambda: lazy((4, 3)).map_blocks(_Duck, meta=_Duck(np.empty((0, 0)))),
                                      lambda: lazy((4, 3)), 1, {},
                                      TypeError, r"NumPy or CUDA \(e\.g\. CuPy\) blocks, got x with blocks of type "
                                                 r".*_Duck"),
    "NumPy operand not numeric": (lambda: lazy((4, 3)), lambda: np.array([["a"] * 3] * 4), 1, {},
                                  TypeError, r"numeric inputs .*got y of dtype <U1"),
    "NumPy operand of rank 1": (lambda: lazy((4, 3)), lambda: np.ones(4), None, {},
                                ValueError, r"rank >= 2 .*got shapes \(4, 3\) and \(4,\)"),
    "NumPy operand of another batch size": (lambda: np.ones((5, 3)), lambda: lazy((4, 3)), 1, {},
                                            ValueError, r"equal batch sizes .*\(5 != 4\)"),
    "NumPy operand of size 0, unequal K": (lambda: lazy((0, 3)), lambda: np.ones((0, 4)), 1, {},
                                           ValueError, r"contracted dimensions of equal size"),
    "unknown chunk sizes on a free axis": (_unknown_free_axis, lambda: lazy((4, 2)), 1, {},
                                           ValueError, r"known chunk sizes, got x with chunks \(\(2, 2\), \(nan"),
}
@pytest.mark.parametrize("name", list(DASK_ERRORS))
def test_dask_error_table(name, nothing_computed):
    """Every bad input to batchdot.dask.batch_dot gives "batch_dot requires ..., got ..."
    while the graph is built: nothing is computed, no Dask or NumPy error escapes."""
    make_x, make_y, axes, kw, exc, match = DASK_ERRORS[name]
    x, y = make_x(), make_y()
    with pytest.raises(exc, match=r"^batch_dot requires .*" + match):
        dask_batch_dot(x, y, axes, **kw)
    with pytest.raises(exc, match=r"^batch_dot requires .*" + match):
        batch_dot(x, y, axes, **kw)


#: a valid case for each forced family (rowdot takes rank-2 float operands)
KERNEL_CASES = {"generic": ((6, 5, 7), (6, 7, 3), np.float64), "dot": ((6, 1, 40), (6, 40, 3), np.float64),
                "rowdot": ((6, 40), (6, 40), np.float32), "tile": ((6, 5, 7), (6, 7, 3), np.int32),
                "blas": ((6, 5, 7), (6, 7, 3), np.float32)}


@pytest.mark.parametrize("limit", ["128MiB", "200B"])
@pytest.mark.parametrize("kernel", list(KERNEL_CASES))
def test_kernel_reaches_every_block(kernel, limit, monkeypatch):
    """kernel= was silently dropped on the Dask path (issue #15): every block, whole or
    partial, is now computed by batch_dot with that kernel=."""
    import batchdot._api

    calls = []
    real = batchdot._api.batch_dot

    def recording(*args, **kwargs):
        calls.append(kwargs.get("kernel"))
        return real(*args, **kwargs)

    xs, ys, dtype = KERNEL_CASES[kernel]
    axes = 1 if len(xs) == 2 else None
    rng = np.random.default_rng(22)
    xn, yn = random_values(rng, xs, dtype), random_values(rng, ys, dtype)
    x = da.from_array(xn, chunks=(2,) + xs[1:-1] + (xs[-1] // 2,))
    y = da.from_array(yn, chunks=(3,) + ys[1:])
    with dask.config.set({"array.chunk-size": limit}):
        r = dask_batch_dot(x, y, axes, kernel=kernel)
    assert _is_split(r) == (limit == "200B")
    monkeypatch.setattr(batchdot._api, "batch_dot", recording)
    got = _compute(r)
    assert calls and set(calls) == {kernel}, calls
    assert_batch_dot_close(got, xn, yn, axes)


@pytest.mark.parametrize("kernel", KERNEL_CASES)
@pytest.mark.parametrize("xd, yd, dtype", [(np.float64, np.float64, None), (np.float32, np.float64, None),
                                           (np.complex128, np.complex128, None), (np.bool_, np.bool_, None),
                                           (np.int8, np.int8, np.int64), (np.float16, np.float16, None),
                                           (np.float32, np.float32, np.float64)])
@pytest.mark.parametrize("rank", [2, 3])
def test_kernel_errors_match_the_numpy_path(kernel, xd, yd, dtype, rank):
    """A forced family the blocks cannot use raises the CPU engine's own error, while the
    graph is built, exactly where the NumPy path raises it; otherwise the values agree."""
    xs, ys = ((4, 3), (4, 3)) if rank == 2 else ((4, 2, 3), (4, 3, 2))
    axes = 1 if rank == 2 else None
    xn, yn = np.ones(xs, xd), np.ones(ys, yd)
    try:
        expected = batch_dot(xn, yn, axes, dtype=dtype, kernel=kernel)
    except (TypeError, ValueError) as e:
        with pytest.raises(type(e)) as info:
            dask_batch_dot(da.from_array(xn, chunks=2), yn, axes, dtype=dtype, kernel=kernel)
        assert str(info.value) == str(e)
        return
    r = dask_batch_dot(da.from_array(xn, chunks=2), yn, axes, dtype=dtype, kernel=kernel)
    np.testing.assert_array_equal(_compute(r), expected)


# --------------------------------------------------------------------------- schedulers


def test_progress_bar():
    from dask.diagnostics import ProgressBar

    rng = np.random.default_rng(9)
    xn, yn = rng.standard_normal((20, 5, 30)), rng.standard_normal((20, 30, 4))
    x, y = da.from_array(xn, chunks=(5, 5, 10)), da.from_array(yn, chunks=(5, 10, 4))
    with dask.config.set({"array.chunk-size": "1KiB"}):
        r = batch_dot(x, y)
    buf = io.StringIO()
    with ProgressBar(out=buf, dt=0.01):
        got = r.compute(scheduler="threads")
    assert "100%" in buf.getvalue() and "Completed" in buf.getvalue()
    assert_batch_dot_close(got, xn, yn)


def test_import_does_not_import_dask():
    code = (
        "import sys, numpy as np, batchdot\n"
        "r = batchdot.batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1)\n"
        "assert r.tolist() == [[3.0], [3.0]], r\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.distributed
def test_distributed_inputs_larger_than_a_worker():
    """Two worker processes of 400 MB each; 1.07 GB of lazily generated input, none lost."""
    distributed = pytest.importorskip("distributed")
    B, M, K, N = 1024, 32, 2048, 32  # x and y: 537 MB each
    limit = 400e6  # a worker's baseline (Python, NumPy, Numba, distributed) is ~200 MB
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, memory_limit=int(limit),
        host="127.0.0.1", dashboard_address=":0", env={"NUMBA_NUM_THREADS": "1"},  # any free port
    ) as cluster, distributed.Client(cluster) as client:
        before = dict(client.run(os.getpid))
        assert len(before) == 2
        rs = da.random.RandomState(1234)
        x = rs.standard_normal((B, M, K), chunks=(16, M, 1024))
        y = rs.standard_normal((B, K, N), chunks=(16, 1024, N))
        assert x.nbytes + y.nbytes > 2 * limit  # more than both workers together
        # 4 MiB blocks: the contracted axis stays split, partial products are summed as a tree
        with dask.config.set({"array.chunk-size": "4MiB"}):
            r = batch_dot(x, y)
        assert _is_split(r)
        idx = [0, 517, B - 1]
        t0 = time.perf_counter()
        total, some, xs, ys = client.compute(
            [r.sum(), r[idx], x[idx], y[idx]], sync=False
        )
        total = total.result(timeout=180)
        # independent checksum: sum_bmn (xy)_bmn = sum_bk (sum_m x_bmk)(sum_n y_bkn)
        check = client.compute((x.sum(axis=1) * y.sum(axis=2)).sum()).result(timeout=180)
        elapsed = time.perf_counter() - t0
        np.testing.assert_allclose(total, check, rtol=1e-10, atol=1e-6 * np.sqrt(B * M * N * K))
        assert_batch_dot_close(some.result(timeout=60), xs.result(), ys.result())
        peak = client.run(lambda dask_worker: max(dask_worker.monitor.quantities["memory"]))
        assert max(peak.values()) < limit, peak
        after = dict(client.run(os.getpid))
        assert after == before, "a worker was lost or restarted"
        assert set(client.scheduler_info()["workers"]) == set(before)
        assert elapsed < 180


@pytest.mark.distributed
def test_dask_bench_runs(capsys):
    """The scaling benchmark runs end to end (tiny workload) and prints its table."""
    pytest.importorskip("distributed")
    from batchdot.bench.dask import main

    main(["--workers", "1", "--repeats", "1", "--shape", "16,4,8,3", "--chunk", "4",
          "--control-repeats", "1"])
    out = capsys.readouterr().out
    assert "median s" in out and "\n       1 " in out and "[4]" in out and "control" in out
