"""Memory of a call: its result plus at most one staged copy of each operand, on a call-cache
miss as on a cached call; broadcast (stride-0) axes are never materialised.

Measured with tracemalloc, which sees NumPy's array allocations.  The kernels are loaded
first (with another shape of the same layout; twice, as the second call builds the parallel
entry), so the Numba compiler's own Python objects are not counted.  Each check runs in a
fresh process: tracemalloc counts every thread's allocations, and threads that earlier tests
leave behind (a distributed client's, dask's pools) allocate during the measurement (a peak
of two results, seen after the dask tests).
"""

import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from batchdot import batch_dot
from batchdot.testing import assert_batch_dot_close

SLACK = 1 << 20  # views, plans and runners: far below one array of these sizes


def peak_bytes(fn):
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        return tracemalloc.get_traced_memory()[1] - base, result
    finally:
        tracemalloc.stop()


def unmergeable(rng, n):
    """x (20, 8, 64) and y (20, 64, n, 30) stored with its two free axes swapped: they cannot merge."""
    y = rng.standard_normal((20, 64, 30, n)).transpose(0, 1, 3, 2)
    return rng.standard_normal((20, 8, 64)), y


def _fresh(call):
    """Run ``call`` (source calling a ``_check_*`` function of this module) in a fresh process."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import test_memory as m; m.{call}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_unmergeable_operand_is_staged_once_on_a_miss_and_when_cached():
    _fresh("_check_unmergeable()")


def _check_unmergeable():
    rng = np.random.default_rng(0)
    for _ in range(2):  # kernels for these layouts loaded; the second call builds the parallel entry
        batch_dot(*unmergeable(rng, 40), (2, 1))
    x, y = unmergeable(rng, 41)
    for call in ("miss", "cached", "cached"):
        peak, r = peak_bytes(lambda: batch_dot(x, y, (2, 1)))
        assert peak <= r.nbytes + y.nbytes + SLACK, (call, peak, r.nbytes, y.nbytes)
        assert_batch_dot_close(r, x, y, (2, 1))


@pytest.mark.parametrize("case", ["x free", "y free", "batch", "y free, unmergeable"])
def test_broadcast_axes_are_never_materialised(case):
    _fresh(f"_check_broadcast({case!r})")


def _check_broadcast(case):
    rng = np.random.default_rng(1)
    B, M, K, N, R = 16, 24, 64, 40, 50  # R: the repeat count of the broadcast axis
    if case == "x free":
        x = np.broadcast_to(rng.standard_normal((B, 1, M, K)), (B, R, M, K))
        y, axes = rng.standard_normal((B, K, N)), (3, 1)
    elif case == "y free":
        x, axes = rng.standard_normal((B, M, K)), (2, 1)
        y = np.broadcast_to(rng.standard_normal((B, K, 1, N)), (B, K, R, N))
    elif case == "batch":
        x = np.broadcast_to(rng.standard_normal((1, M, K)), (R, M, K))
        y, axes = np.broadcast_to(rng.standard_normal((1, K, N)), (R, K, N)), (2, 1)
    else:  # the stride-0 axis sits between y's free axes: without it they would not merge either
        x, axes = rng.standard_normal((B, M, K)), (2, 1)
        y = np.broadcast_to(rng.standard_normal((B, K, N, 1)), (B, K, N, R)).transpose(0, 1, 3, 2)
    real = sum(a.base.nbytes if a.base is not None else a.nbytes for a in (x, y))
    for _ in range(2):  # kernels loaded, the parallel entry built, runner cached
        batch_dot(x, y, axes)
    for _ in range(2):
        peak, r = peak_bytes(lambda: batch_dot(x, y, axes))
        assert peak <= r.nbytes + real + SLACK, (peak, r.nbytes, real)
        assert_batch_dot_close(r, x, y, axes)
    out = np.empty_like(r)
    peak, _ = peak_bytes(lambda: batch_dot(x, y, axes, out=out))
    assert peak <= real + SLACK
    assert_batch_dot_close(out, x, y, axes)


def test_mixed_blas_products_are_cast_a_group_at_a_time():
    _fresh("_check_mixed_blas()")


def _check_mixed_blas():
    """A large product of float32 and float64 operands goes to BLAS (choose.cast_for_blas),
    which casts groups of batch elements into two reused buffers: the call's peak is its
    result plus buffers of about twice the L2 cache, never a cast copy of a whole operand."""
    from batchdot.cpu.choose import l2_bytes

    rng = np.random.default_rng(4)
    B, M, K, N = 64, 256, 256, 256  # x as float64: 32 MiB; a group: a few batch elements
    for _ in range(2):
        batch_dot(rng.standard_normal((B, M, K)).astype(np.float32), rng.standard_normal((B, K, N)))
    x, y = rng.standard_normal((B, M, K)).astype(np.float32), rng.standard_normal((B, K, N))
    for call in ("miss", "cached"):
        peak, r = peak_bytes(lambda: batch_dot(x, y))
        assert r.dtype == np.float64
        assert peak <= r.nbytes + 4 * l2_bytes() + 2 * (M * K + K * N) * 8 + SLACK, (call, peak, r.nbytes)
        assert peak < r.nbytes + x.nbytes, (call, peak)  # no whole cast of x (float64: 2 x.nbytes)
        assert_batch_dot_close(r, x, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.complex64])
def test_large_results_start_on_a_cache_line(dtype):
    """Results of cpu.ALIGN_FROM bytes or more start on a cache line (views of a buffer of
    their own, as Numba's results are); smaller ones are plain arrays.  Either is a new,
    writeable, C-ordered array of the right values."""
    from batchdot import cpu

    rng = np.random.default_rng(15)
    x = rng.standard_normal((64, 12, 4, 5)).astype(dtype)  # squash: (64, 12, 4, 12, 8) result
    y = rng.standard_normal((64, 12, 5, 8)).astype(dtype)
    results = [batch_dot(x, y) for _ in range(3)]  # a miss, then the cached runner
    assert results[0].nbytes >= cpu.ALIGN_FROM
    for r in results:
        assert r.__array_interface__["data"][0] % cpu.LINE == 0
        assert r.flags.c_contiguous and r.flags.writeable and r.shape == (64, 12, 4, 12, 8)
        assert_batch_dot_close(r, x, y)
    assert not np.shares_memory(results[1], results[2])
    results[1][...] = 0  # results are independent
    assert_batch_dot_close(results[2], x, y)
    small = batch_dot(x[:2, :2], y[:2, :2])
    root = small
    while root.base is not None:  # a reshape of the kernel's (B, M, N) result
        root = root.base
    assert small.nbytes < cpu.ALIGN_FROM and root.dtype == small.dtype  # np.empty's own array
    assert_batch_dot_close(small, x[:2, :2], y[:2, :2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
def test_tile_products_read_large_y_from_a_copy_on_cache_lines(dtype, monkeypatch):
    """cpu.lined: rows on cache lines (and not 4 KiB apart) after it, the values unchanged,
    the caller's array untouched; tile products that take it (cpu.realigns) are exact."""
    from batchdot import cpu

    rng = np.random.default_rng(16)
    y = rng.standard_normal((2, 9, 1024 + 5)).astype(dtype)[:, :, 5:]  # rows off cache lines
    before = y.copy()
    for a in (y, y[:, :, :1000], np.ascontiguousarray(y)):
        lined = cpu.lined(a)
        assert cpu.on_lines(lined) and lined.strides[1] % 4096 != 0
        np.testing.assert_array_equal(lined, a, strict=True)
    np.testing.assert_array_equal(y, before)
    K = 256
    N = max(64, -(-cpu.l2_bytes() // (2 * K * np.dtype(dtype).itemsize)))
    assert cpu.realigns("tile", cpu.REALIGN_ROWS, K, N, np.dtype(dtype).itemsize, False)
    x = (rng.standard_normal((2, cpu.REALIGN_ROWS, K)) * 3).astype(dtype)
    y = (rng.standard_normal((2, K, N + 3)) * 3).astype(dtype)[:, :, 3:]  # rows off cache lines
    assert not cpu.on_lines(y)
    copies = []
    real_lined = cpu.lined
    monkeypatch.setattr(cpu, "lined", lambda a: copies.append(a.shape) or real_lined(a))
    for _ in range(2):  # a miss, then the cached runner
        assert_batch_dot_close(batch_dot(x, y, kernel="tile"), x, y)
    out = np.empty((2, cpu.REALIGN_ROWS, N), dtype)  # the engine's path without the call cache
    assert cpu.execute(x, y, out, np.dtype(dtype), "tile") == "tile"
    assert_batch_dot_close(out, x, y)
    assert copies and all(c == y.shape for c in copies), copies  # both paths read y through it
