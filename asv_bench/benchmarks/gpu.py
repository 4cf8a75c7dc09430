"""The CUDA path of ``batch_dot`` (device arrays in, device array out), beside the host path.

Without a usable GPU (``numba.cuda.is_available()`` is false) or without batchdot's CUDA back
end, ``setup`` raises ``NotImplementedError`` and asv reports the benchmarks as skipped.
Numba's CUDA module is imported inside ``setup`` only, never when asv imports this file.
Every timed body ends with ``numba.cuda.synchronize()`` so that asynchronous kernel launches
are timed to completion.
"""

import importlib.util

import numpy as np

from batchdot import batch_dot

from . import common


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

    def time_batch_dot_device(self, name, dtype):
        """Device arrays in, preallocated device array out: the kernel alone."""
        batch_dot(self.xd, self.yd, self.w.axes, out=self.outd)
        self.cuda.synchronize()

    def time_batch_dot_device_alloc(self, name, dtype):
        """Device arrays in, a new device array out."""
        batch_dot(self.xd, self.yd, self.w.axes)
        self.cuda.synchronize()

    def time_batch_dot_host_roundtrip(self, name, dtype):
        """NumPy arrays in and out with ``device="cuda"``: transfers included."""
        batch_dot(self.x, self.y, self.w.axes, device="cuda")
        self.cuda.synchronize()
