"""Shared pieces of the benchmarks: the workload table, seeded data, NumPy baselines, timing.

Nothing here is a benchmark (asv only collects names starting with ``time_``, ``peakmem_``,
``track_`` ... and skips names starting with an underscore).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from batchdot import batch_dot, plan

#: Floating dtypes every workload family is measured in (strings: readable asv ids).
DTYPES = ["float32", "float64"]


@dataclass(frozen=True)
class Workload:
    """One ``batch_dot(x, y, axes)`` problem and its two NumPy spellings.

    ``subscripts`` is the ``np.einsum`` spelling; ``einsum_optimize`` is whichever of
    ``optimize=True``/``False`` is faster for it (measured on NumPy 2 with OpenBLAS).
    ``matmul`` is the ``np.matmul`` spelling (after ``moveaxis``/``reshape`` where needed).
    Both return an array of the batch_dot result's shape.
    """

    name: str
    x_shape: tuple
    y_shape: tuple
    axes: object
    subscripts: str
    matmul: object
    einsum_optimize: bool = True

    def with_batch(self, batch):
        """The same problem with batch size ``batch``."""
        return Workload(
            self.name, (batch,) + self.x_shape[1:], (batch,) + self.y_shape[1:], self.axes,
            self.subscripts, self.matmul, self.einsum_optimize,
        )

    @property
    def plan(self):
        return plan(self.x_shape, self.y_shape, self.axes)

    def einsum(self, x, y):
        r = np.einsum(self.subscripts, x, y, optimize=self.einsum_optimize)
        return r.reshape(self.plan.out_shape)


def _rowdot_matmul(x, y):
    return np.matmul(x[:, None, :], y[:, :, None]).reshape(x.shape[0], 1)


def _vecmat_matmul(x, y):
    return np.matmul(y, x[:, :, None])[..., 0]


def _squash_matmul(x, y):
    # (B, I, J, K) . (B, M, K, N) -> (B, I, J, M, N): merge x's free axes and y's free axes.
    b, i, j, k = x.shape
    _, m, _, n = y.shape
    y3 = np.moveaxis(y, 2, 1).reshape(b, k, m * n)
    return np.matmul(x.reshape(b, i * j, k), y3).reshape(b, i, j, m, n)


def _midaxis_matmul(x, y):
    return np.matmul(np.moveaxis(x, 1, 2), y)


#: The named workloads of the issue (each is measured in float32 and float64).
WORKLOADS = {
    w.name: w
    for w in [
        Workload("rowdot", (200_000, 64), (200_000, 64), 1, "bk,bk->b", _rowdot_matmul),
        Workload("vecmat", (10_000, 64), (10_000, 32, 64), (1, 2), "bk,bnk->bn", _vecmat_matmul,
                 einsum_optimize=False),
        Workload("small8", (50_000, 8, 8), (50_000, 8, 8), None, "bij,bjk->bik", np.matmul),
        Workload("small32", (4_000, 32, 32), (4_000, 32, 32), None, "bij,bjk->bik", np.matmul),
        Workload("large512", (16, 512, 512), (16, 512, 512), None, "bij,bjk->bik", np.matmul),
        Workload("squash", (64, 12, 4, 5), (64, 12, 5, 8), None, "bijk,bmkn->bijmn", _squash_matmul),
        Workload("midaxis", (8192, 64, 16), (8192, 64, 16), (1, 1), "bki,bkj->bij", _midaxis_matmul),
        Workload("tiny", (4, 3), (4, 3), 1, "bk,bk->b", _rowdot_matmul, einsum_optimize=False),
    ]
}


def square_workload(batch, n):
    """``(batch, n, n) x (batch, n, n)``: a batch of square matrix products."""
    return Workload(f"square{n}", (batch, n, n), (batch, n, n), None, "bij,bjk->bik", np.matmul)


def make_operands(workload, dtype, seed=0):
    """Seeded standard-normal operands of the workload's shapes, in ``dtype``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(workload.x_shape, dtype=np.dtype(dtype))
    y = rng.standard_normal(workload.y_shape, dtype=np.dtype(dtype))
    return x, y


def minimum_bytes(workload, dtype):
    """Bytes any implementation must move: read x and y once, write the result once."""
    p = workload.plan
    n = int(np.prod(p.x_shape)) + int(np.prod(p.y_shape)) + int(np.prod(p.out_shape))
    return n * np.dtype(dtype).itemsize


def best_seconds(fn, budget=0.25, max_runs=25):
    """Shortest wall time of ``fn()`` over repeated runs (at least one, within ``budget`` s)."""
    best = float("inf")
    t_end = time.perf_counter() + budget
    for _ in range(max_runs):
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        best = min(best, t1 - t0)
        if t1 > t_end:
            break
    return best


class _TimedBenchmark:
    """Time and throughput of ``batch_dot`` on one workload, beside NumPy.

    Subclasses set ``params``/``param_names`` and implement ``workload(*params)`` (and
    ``dtype(*params)`` unless the last parameter is the dtype).  Data is built in ``setup``
    from a seeded generator, and ``batch_dot`` is called once there so that Numba's JIT
    compilation (or its on-disk cache load) is never timed.
    """

    test_params = None  # the smallest parameter combination, run once by tests/test_asv.py
    #: When set (tests/test_asv.py does), the batch is cut so that x has at most this many
    #: elements: every method still runs, in a fraction of a second.  asv leaves it unset.
    max_elements = None

    def workload(self, *params):
        raise NotImplementedError

    def dtype(self, *params):
        return params[-1]

    def setup(self, *params):
        self.w = self.workload(*params)
        if self.max_elements:
            row = int(np.prod(self.w.x_shape[1:]))
            self.w = self.w.with_batch(min(self.w.x_shape[0], max(1, self.max_elements // row)))
        self.dt = np.dtype(self.dtype(*params))
        self.x, self.y = make_operands(self.w, self.dt)
        self.axes = self.w.axes
        self.out = batch_dot(self.x, self.y, self.axes)  # JIT warm-up; also the out= buffer
        self._seconds = None

    # -- time -------------------------------------------------------------------------

    def time_batch_dot(self, *params):
        batch_dot(self.x, self.y, self.axes)

    def time_batch_dot_out(self, *params):
        """Into a preallocated ``out``: no allocation, the kernel writes it directly."""
        batch_dot(self.x, self.y, self.axes, out=self.out)

    def time_numpy_einsum(self, *params):
        self.w.einsum(self.x, self.y)

    def time_numpy_matmul(self, *params):
        self.w.matmul(self.x, self.y)

    # -- throughput -------------------------------------------------------------------

    def _best_seconds(self):
        if self._seconds is None:
            self._seconds = best_seconds(lambda: batch_dot(self.x, self.y, self.axes, out=self.out))
        return self._seconds

    def track_gbps(self, *params):
        """Minimum traffic (read x and y, write the result) over the best time."""
        return minimum_bytes(self.w, self.dt) / self._best_seconds() / 1e9

    track_gbps.unit = "GB/s"

    def track_gflops(self, *params):
        """``2 * B * M * N * K`` over the best time."""
        return self.w.plan.flops / self._best_seconds() / 1e9

    track_gflops.unit = "GFLOP/s"


class _FullBenchmark(_TimedBenchmark):
    """:class:`_TimedBenchmark` plus peak memory, against the floor ``peakmem_reference``."""

    def peakmem_batch_dot(self, *params):
        batch_dot(self.x, self.y, self.axes)

    def peakmem_reference(self, *params):
        """The floor: the inputs (already allocated) plus one written result array."""
        np.empty(self.w.plan.out_shape, self.dt).fill(0)
