"""Every CUDA kernel family under Numba's plain CUDA simulator, as a user runs it.

Run by ``tests/test_cuda.py`` as ``NUMBA_ENABLE_CUDASIM=1 python tests/cuda/plain_simulator.py``:
a plain script, so ``tests/cuda/conftest.py`` (the suite's warp-shuffle emulation) is not
loaded, and the simulator has no ``cuda.shfl_down_sync``, as Numba ships it.  Exits 0 and
prints ``ok`` when every case agrees with :mod:`batchdot.testing`; raises otherwise.
"""

import os
import sys
import warnings

import numpy as np

assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "run with NUMBA_ENABLE_CUDASIM=1"

from numba import cuda  # noqa: E402
from numba.cuda.simulator.kernelapi import FakeCUDAModule  # noqa: E402

# Numba's simulator has no warp shuffles; should a later Numba add one, take it away again,
# so that this script keeps checking the path users of today's simulator take.
if hasattr(FakeCUDAModule, "shfl_down_sync"):
    delattr(FakeCUDAModule, "shfl_down_sync")

from batchdot import batch_dot  # noqa: E402
from batchdot._cuda import FAMILIES, _batch_dot_cuda, select_kernel  # noqa: E402
from batchdot.testing import assert_batch_dot_close, random_values  # noqa: E402

assert "conftest" not in " ".join(sys.modules), "the suite's simulator shim must not be loaded"

#: (x shape, y shape, axes, the family select_kernel picks under the default CONFIG)
SHAPES = [
    ((3, 40), (3, 40), 1, "dot"),  # row dots, K contiguous: 32 lanes on a GPU
    ((2, 1, 20), (2, 20, 5), None, "dot"),  # vector-matrix
    ((2, 6, 12), (2, 12), (2, 1), "dot"),  # matrix-vector, 16 lanes on a GPU
    ((2, 3, 4), (2, 4, 5), None, "small"),
    ((1, 33, 3), (1, 3, 34), None, "tiled"),
]
DTYPES = [np.float32, np.float64, np.complex64, np.uint64, np.int8, np.bool_, np.float16]


def values(shape, dtype, seed):
    return random_values(np.random.default_rng(seed), shape, dtype)


def main():
    warnings.filterwarnings("error")
    # NumPy scalars warn on the integer wrap-around the simulator performs in Python
    warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
    # batch_dot as users call it, each family as select_kernel picks it: device arrays in,
    # device array out; every dtype on the row dots (32 lanes per output on a GPU)
    for i, (xs, ys, axes, family) in enumerate(SHAPES):
        assert select_kernel(*_sizes(xs, ys, axes))[0] == family
        for dtype in DTYPES if i == 0 else (np.float32, np.complex128):
            x, y = values(xs, dtype, 2 * i), values(ys, dtype, 2 * i + 1)
            res = batch_dot(cuda.to_device(x), cuda.to_device(y), axes)
            assert_batch_dot_close(res.copy_to_host(), x, y, axes)
    assert {f for *_, f in SHAPES} == set(FAMILIES)
    assert select_kernel(*_sizes(*SHAPES[0][:3])) == ("dot", 32)
    # host arrays with device="cuda"
    x, y = values(SHAPES[0][0], np.float64, 10), values(SHAPES[0][1], np.float64, 11)
    assert_batch_dot_close(batch_dot(x, y, 1, device="cuda"), x, y, 1)
    # every family forced on the row dots and on the matrix-vector products
    for xs, ys, axes, _ in (SHAPES[0], SHAPES[2]):
        x, y = values(xs, np.float64, 12), values(ys, np.float64, 13)
        for family in FAMILIES:
            res = _batch_dot_cuda(cuda.to_device(x), cuda.to_device(y), axes, kernel=family)
            assert_batch_dot_close(res.copy_to_host(), x, y, axes)
    # asking for shuffles the simulator does not have is a clear error, not an AttributeError
    x = cuda.to_device(np.ones((2, 40)))
    try:
        _batch_dot_cuda(x, x, 1, kernel="dot", lanes=4)
    except ValueError as e:
        assert str(e).startswith("batch_dot requires lanes=1 under Numba's CUDA simulator"), e
    else:
        raise AssertionError("lanes=4 under the simulator did not raise")
    print("ok")


def _sizes(xs, ys, axes):
    """(B, M, N, K) of a call, from the plan."""
    from batchdot import plan

    p = plan(xs, ys, axes)
    return p.batch, p.m, p.n, p.contracted


if __name__ == "__main__":
    main()
