"""Shared pieces of the benchmarks: the workload table, seeded data, base classes, warm-up.

Nothing here is a benchmark (asv only collects names starting with ``time_``, ``peakmem_``,
``track_`` ... and skips names starting with an underscore).
"""

from __future__ import annotations

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
    """Seeded operands of the workload's shapes in ``dtype``, uniform on ``[0, 1)``.

    Uniform rather than normal: the values change no timing, and ``Generator.random`` is about
    four times faster than ``standard_normal`` (a float64 rowdot is 205 MB of data).
    """
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    return rng.random(workload.x_shape, dtype=dt), rng.random(workload.y_shape, dtype=dt)


def result_dtype(dtype):
    """The dtype of ``batch_dot``'s result for two operands of ``dtype`` (floats: the same)."""
    return np.result_type(np.dtype(dtype), np.dtype(dtype))


class _Benchmark:
    """Seeded data of one workload, built once per process and kept on the instance.

    asv runs each benchmark (one method, one parameter combination) in a process of its own,
    and calls ``setup`` again before every timed sample: ``setup`` therefore only builds what
    it has not built yet (the key is the parameters and ``max_elements``).  Subclasses set
    ``params``/``param_names`` and implement ``workload(*params)`` (and ``dtype(*params)``
    unless the last parameter is the dtype); ``prepare()`` adds what a class needs beyond
    ``x`` and ``y``.
    """

    #: One process per benchmark and parameter set (asv's default is 2 rounds, so 2): a process
    #: that calls batch_dot spends 1-3 s importing Numba and loading its kernels before it
    #: times anything.  Each process still takes up to 10 samples (5 with 2 rounds).
    rounds = 1
    test_params = None  # the smallest parameter combination, run once by tests/test_asv.py
    #: When set (tests/test_asv.py does), the batch is cut so that x has at most this many
    #: elements: every method still runs, in a fraction of a second.  asv leaves it unset.
    max_elements = None
    _key = None

    def workload(self, *params):
        raise NotImplementedError

    def dtype(self, *params):
        return params[-1]

    def setup(self, *params):
        key = (params, self.max_elements)
        if key == self._key:
            return
        self._key = None
        w = self.workload(*params)
        if self.max_elements:
            row = int(np.prod(w.x_shape[1:]))
            w = w.with_batch(min(w.x_shape[0], max(1, self.max_elements // row)))
        self.w, self.dt, self.axes = w, np.dtype(self.dtype(*params)), w.axes
        self.x, self.y = make_operands(w, self.dt)
        self.prepare()
        self._key = key

    def prepare(self):
        pass


def warm(x, y, axes, out=None):
    """Call ``batch_dot`` twice, or twice into ``out``, so that a timed call builds nothing.

    The first call compiles (or loads from Numba's on-disk cache) the serial kernel; the
    second builds the parallel driver of a kernel that may run in parallel.  The ``out=`` path
    prepares the kernel for ``out``'s layout on its own first call, so it is warmed apart.
    Products that the engine hands to BLAS run on the tiles instead while another process
    keeps a core busy (``batchdot.cpu.policy.others_busy``): their tiles are warmed too, or
    the first sample taken under load would compile them.
    """
    from batchdot.cpu import choose

    p = plan(x.shape, y.shape, axes)
    dt = np.result_type(x, y)
    kernels = [None]
    if choose.blas_sized(choose.dtype_class(x.dtype, y.dtype, dt, dt), p.m, p.n, p.k):
        kernels.append("tile")
    for kernel in kernels:
        for _ in range(2):
            batch_dot(x, y, axes, out=out, kernel=kernel)


class _BatchDot(_Benchmark):
    """``batch_dot`` timed on one workload, allocating its result.

    ``setup`` calls it twice (:func:`warm`), once per process, so that Numba's JIT compilation,
    its cache loads and the parallel driver's build are never timed.
    """

    def prepare(self):
        warm(self.x, self.y, self.axes)

    def time_batch_dot(self, *params):
        batch_dot(self.x, self.y, self.axes)


class _BatchDotOut(_BatchDot):
    """:class:`_BatchDot`, and ``batch_dot`` into a preallocated ``out`` (warmed apart)."""

    def prepare(self):
        super().prepare()
        self.out = np.empty(self.w.plan.out_shape, result_dtype(self.dt))
        warm(self.x, self.y, self.axes, out=self.out)

    def time_batch_dot_out(self, *params):
        """Into a preallocated ``out``: no allocation, the kernel writes it directly."""
        batch_dot(self.x, self.y, self.axes, out=self.out)


class _NumPyMatmul(_Benchmark):
    """The ``np.matmul`` spelling of the workload: no ``batch_dot`` call, so no JIT in setup.

    NumPy compiles nothing: asv's own warm-up before the samples is all it needs.
    """

    def time_numpy_matmul(self, *params):
        self.w.matmul(self.x, self.y)
