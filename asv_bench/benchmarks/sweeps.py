"""Sweeps over batch size and over matrix size (float32), batch_dot beside NumPy's matmul.

``BatchSize`` grows the batch of four kernel families at fixed matrix shapes;
``MatrixSize`` grows square matrices ``(B, n, n) . (B, n, n)`` at a fixed ~4 MB per operand.
The ``*NumPy`` classes time ``np.matmul`` on the same data (setup loads no JIT); the workload
classes in :mod:`.workloads` also time ``einsum`` and ``out=``.
"""

from . import common

#: Per-family shapes of the batch sweep (the batch axis is replaced by the swept size).
BATCH_FAMILIES = {
    "rowdot": common.WORKLOADS["rowdot"],
    "vecmat": common.Workload("vecmat", (1, 64), (1, 16, 64), (1, 2), "bk,bnk->bn",
                              common.WORKLOADS["vecmat"].matmul, einsum_optimize=False),
    "small8": common.WORKLOADS["small8"],
    "small32": common.WORKLOADS["small32"],
}
BATCH_SIZES = [1, 32, 1024, 32768]
MATRIX_SIZES = [2, 4, 8, 16, 32, 64, 128, 256]
#: Elements per operand in the matrix-size sweep (4 MiB of float32).
MATRIX_ELEMENTS = 1 << 20


def matrix_batch(n):
    """Batch size that keeps ``batch * n * n`` at :data:`MATRIX_ELEMENTS`."""
    return max(1, MATRIX_ELEMENTS // (n * n))


class _BatchSizeData:
    params = [list(BATCH_FAMILIES), BATCH_SIZES]
    param_names = ["family", "batch"]
    test_params = ("rowdot", 1)

    def workload(self, family, batch):
        return BATCH_FAMILIES[family].with_batch(batch)

    def dtype(self, *params):
        return "float32"


class _MatrixSizeData:
    params = [MATRIX_SIZES]
    param_names = ["n"]
    test_params = (2,)
    timeout = 300

    def workload(self, n):
        return common.square_workload(matrix_batch(n), n)

    def dtype(self, *params):
        return "float32"


class BatchSize(_BatchSizeData, common._BatchDot):
    """batch_dot as the batch grows: 1 to 32768, four families, float32."""


class BatchSizeNumPy(_BatchSizeData, common._NumPyMatmul):
    """``np.matmul`` on :class:`BatchSize`'s data."""


class MatrixSize(_MatrixSizeData, common._BatchDot):
    """Square matrix products ``(B, n, n) . (B, n, n)``, n = 2 to 256, B * n * n = 2**20, float32."""


class MatrixSizeNumPy(_MatrixSizeData, common._NumPyMatmul):
    """``np.matmul`` on :class:`MatrixSize`'s data."""
