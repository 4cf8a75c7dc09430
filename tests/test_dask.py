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

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import batchdot  # noqa: E402
from batchdot import batch_dot, plan  # noqa: E402
from batchdot.dask import batch_dot as dask_batch_dot  # noqa: E402
from batchdot.dask import choose_chunks  # noqa: E402
from batchdot.testing import assert_batch_dot_close, random_case, random_values  # noqa: E402

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
        host="127.0.0.1", dashboard_address=None, env={"NUMBA_NUM_THREADS": "1"},
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
