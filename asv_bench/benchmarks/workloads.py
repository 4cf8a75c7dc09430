"""The issue's workloads, one class per kernel family, each in float32 and float64, beside NumPy.

Every family class times ``batch_dot`` allocating its result (``time_batch_dot``) and into a
preallocated ``out`` (``time_batch_dot_out``); both paths are warmed in ``setup``.  ``NumPy``
times the two NumPy spellings of every workload (``time_numpy_einsum``,
``time_numpy_matmul``) in a class of its own, whose ``setup`` loads no JIT.  Peak memory is
in :mod:`.memory`.

Throughput is not tracked: GB/s and GFLOP/s are the best time in other units, and asv ranks
every ``track_`` value as lower-is-better, so a speed-up would be flagged as a regression.
Divide a workload's ``w.plan.flops`` (or the bytes of x, y and the result) by its time.
"""

from . import common


class _Family(common._BatchDotOut):
    param_names = ["workload", "dtype"]

    def workload(self, name, dtype):
        return common.WORKLOADS[name]


class RowDot(_Family):
    """Row-wise dot products: ``(200000, 64) . (200000, 64)``, axes=1 (memory bound)."""

    params = [["rowdot"], common.DTYPES]
    test_params = ("rowdot", "float32")


class VecMat(_Family):
    """Vector times matrix: ``(10000, 64) . (10000, 32, 64)``, axes=(1, 2)."""

    params = [["vecmat"], common.DTYPES]
    test_params = ("vecmat", "float32")


class SmallMatrices(_Family):
    """Many small matrix products: 8x8 (50000 of them) and 32x32 (4000)."""

    params = [["small8", "small32"], common.DTYPES]
    test_params = ("small8", "float32")


class LargeMatrices(_Family):
    """A few large matrix products: ``(16, 512, 512) . (16, 512, 512)`` (compute bound)."""

    params = [["large512"], common.DTYPES]
    test_params = ("large512", "float32")
    timeout = 300


class Squash(_Family):
    """Several free axes on each side: ``(64, 12, 4, 5) . (64, 12, 5, 8)``, axes=None."""

    params = [["squash"], common.DTYPES]
    test_params = ("squash", "float32")


class MidAxis(_Family):
    """Contraction over a middle axis of both: ``(8192, 64, 16) . (8192, 64, 16)``, axes=(1, 1)."""

    params = [["midaxis"], common.DTYPES]
    test_params = ("midaxis", "float32")


class Tiny(_Family):
    """``(4, 3) . (4, 3)``, axes=1: the fixed cost of one call.

    ``number`` calls per sample, each timed on its own (asv re-runs ``setup``, here a no-op,
    between them): one 2-us call per sample would be mostly clock and loop noise.
    """

    params = [["tiny"], common.DTYPES]
    test_params = ("tiny", "float32")
    number = 200


class NumPy(common._NumPyMatmul):
    """NumPy's ``einsum`` and ``matmul`` spellings of every workload above, in both dtypes."""

    params = [list(common.WORKLOADS), common.DTYPES]
    param_names = ["workload", "dtype"]
    test_params = ("tiny", "float32")
    timeout = 300

    def workload(self, name, dtype):
        return common.WORKLOADS[name]

    def time_numpy_einsum(self, name, dtype):
        self.w.einsum(self.x, self.y)
