"""Peak memory of ``batch_dot`` on every workload, against a floor that never calls it.

asv's ``peakmem_`` value is the peak resident memory of the whole process that ran the
benchmark (interpreter, imports, ``setup`` and the call), one process per benchmark:

- ``PeakMemoryFloor.peakmem_floor``: setup builds the inputs and writes a result-shaped array;
  nothing else runs.  No ``batch_dot`` call, so Numba is not even imported.
- ``PeakMemory.peakmem_batch_dot``: setup builds the same inputs and warms ``batch_dot``; the
  benchmark calls it once more, allocating its result.

Their difference is what calling ``batch_dot`` costs in memory: Numba's runtime and the loaded
kernels (about the whole difference for ``tiny``, whose data is a few bytes) plus whatever the
call allocates beyond its result (staging copies, temporaries).  A change that adds a copy of
an operand raises ``peakmem_batch_dot`` and leaves the floor where it was.

asv reads ``ru_maxrss``, which on Linux starts a spawned process at the size of the asv process
that spawned it (about 40 MB): a floor below that (``tiny``, ``squash``) reads as that.
"""

import numpy as np

from batchdot import batch_dot

from . import common


class _Memory(common._Benchmark):
    params = [list(common.WORKLOADS), common.DTYPES]
    param_names = ["workload", "dtype"]
    test_params = ("tiny", "float32")

    def workload(self, name, dtype):
        return common.WORKLOADS[name]


class PeakMemoryFloor(_Memory):
    """The floor: the inputs and one written result array; ``batch_dot`` is never called."""

    def prepare(self):
        self.out = np.empty(self.w.plan.out_shape, common.result_dtype(self.dt))
        self.out.fill(1)  # written, so resident, as batch_dot's own result is

    def peakmem_floor(self, *params):
        """Nothing runs: the value is what ``setup`` built (inputs and result)."""


class PeakMemory(_Memory):
    """``batch_dot`` allocating its result, warmed in ``setup`` (the results are dropped)."""

    def prepare(self):
        common.warm(self.x, self.y, self.axes)

    def peakmem_batch_dot(self, *params):
        batch_dot(self.x, self.y, self.axes)
