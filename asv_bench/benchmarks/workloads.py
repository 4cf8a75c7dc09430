"""The issue's workloads, one class per kernel family, each in float32 and float64.

Every class times ``batch_dot`` (``time_batch_dot``) beside the two NumPy spellings
(``time_numpy_einsum``, ``time_numpy_matmul``), measures peak memory against the floor
``peakmem_reference`` (inputs plus one result array) and tracks GB/s and GFLOP/s.
"""

from . import common


class _Family(common._FullBenchmark):
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
    """``(4, 3) . (4, 3)``, axes=1: the fixed cost of one call."""

    params = [["tiny"], common.DTYPES]
    test_params = ("tiny", "float32")
