"""The CUDA path of ``batch_dot`` (device arrays in, device array out), beside the host path.

Where no CUDA device can be (no batchdot CUDA back end, no CUDA driver library, no
``NUMBA_ENABLE_CUDASIM=1``) asv does not collect these benchmarks at all: reporting them
skipped cost one process per benchmark, parameter set and round, each importing
``numba.cuda`` (48 processes, 2.3 of a full run's minutes on a 2-core VM).  Where a device may
be but is not usable (``numba.cuda.is_available()`` is false), ``setup`` raises
``NotImplementedError`` and asv reports them skipped.  Numba's CUDA module is imported inside
``setup`` only, never when asv imports this file.  Every timed body ends with
``numba.cuda.synchronize()`` so that asynchronous kernel launches are timed to completion.
"""

import ctypes.util
import importlib.util
import os

import numpy as np

from batchdot import batch_dot

from . import common


def _cuda_possible():
    """Whether a CUDA device could be used here, without importing Numba (cheap: asv imports
    this module in every process it starts for one of these benchmarks)."""
    if importlib.util.find_spec("batchdot._cuda") is None:
        return False
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or os.environ.get("NUMBA_CUDA_DRIVER"):
        return True
    return (ctypes.util.find_library("cuda") is not None or os.path.exists("/dev/nvidiactl")
            or os.path.exists("/proc/driver/nvidia"))


#: See the module docstring: False makes asv skip collecting the benchmarks below.
CUDA_POSSIBLE = _cuda_possible()


def _needs_cuda(func):
    """asv_runner's ``skip_benchmark_if(not CUDA_POSSIBLE)``, without importing asv_runner."""
    if not CUDA_POSSIBLE:
        func.skip_benchmark = True
    return func


def _require_cuda():
    """``numba.cuda``, or ``NotImplementedError`` (asv: skipped) when it cannot run here."""
    if importlib.util.find_spec("batchdot._cuda") is None:
        raise NotImplementedError("this version of batchdot has no CUDA back end")
    from numba import cuda

    if not cuda.is_available():
        raise NotImplementedError("no CUDA GPU available (numba.cuda.is_available() is False)")
    return cuda


class GpuBatchDot:
    """batch_dot on CUDA device arrays, with and without host<->device transfers.

    GFLOP/s is not tracked (asv ranks every ``track_`` value as lower-is-better); divide
    ``w.plan.flops`` by ``time_batch_dot_device``.
    """

    params = [["tiny", "rowdot", "small32", "large512"], common.DTYPES]
    param_names = ["workload", "dtype"]
    test_params = ("tiny", "float32")
    timeout = 300
    rounds = 1  # see common._Benchmark
    _key = None

    def setup(self, name, dtype):
        # asv re-runs setup before every sample: copy and warm once per process
        cuda = self.cuda = _require_cuda()
        if self._key == (name, dtype):
            return
        self._key = None
        self.w = common.WORKLOADS[name]
        self.x, self.y = common.make_operands(self.w, dtype)
        self.xd, self.yd = cuda.to_device(self.x), cuda.to_device(self.y)
        self.outd = cuda.device_array(self.w.plan.out_shape, np.dtype(dtype))
        for _ in range(2):  # JIT warm-up of the three timed paths
            batch_dot(self.xd, self.yd, self.w.axes, out=self.outd)
            batch_dot(self.xd, self.yd, self.w.axes)
            batch_dot(self.x, self.y, self.w.axes, device="cuda")
        cuda.synchronize()
        self._key = (name, dtype)

    @_needs_cuda
    def time_batch_dot_device(self, name, dtype):
        """Device arrays in, preallocated device array out: the kernel alone."""
        batch_dot(self.xd, self.yd, self.w.axes, out=self.outd)
        self.cuda.synchronize()

    @_needs_cuda
    def time_batch_dot_device_alloc(self, name, dtype):
        """Device arrays in, a new device array out."""
        batch_dot(self.xd, self.yd, self.w.axes)
        self.cuda.synchronize()

    @_needs_cuda
    def time_batch_dot_host_roundtrip(self, name, dtype):
        """NumPy arrays in and out with ``device="cuda"``: transfers included."""
        batch_dot(self.x, self.y, self.w.axes, device="cuda")
        self.cuda.synchronize()
