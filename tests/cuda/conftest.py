"""Support for ``cuda_cases.py`` under Numba's CUDA simulator.

Numba's simulator (``NUMBA_ENABLE_CUDASIM=1``) runs each CUDA thread as a Python thread but
has no warp shuffles.  When (and only when) the simulator is enabled, this installs
``shfl_down_sync`` on the simulator's ``cuda`` module: an exchange between the 32 threads of
a warp through a per-warp barrier, with the hardware's semantics (lane ``l`` receives the
value of lane ``l + delta``, or its own value when that lane is outside the warp).  The
kernels are not changed; on a real GPU this file does nothing.

In the main ``python -m pytest`` run nothing here is imported from Numba: the directory is
visited, but its case file does not match ``test_*.py`` (see ``tests/test_cuda.py``).
"""

import os
import threading

if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    from numba.cuda.simulator.kernelapi import FakeCUDAModule

    _LOCK = threading.Lock()
    _WARP = 32

    class _WarpExchange:
        def __init__(self):
            self.values = [None] * _WARP
            self.barrier = threading.Barrier(_WARP, timeout=120)

    def _exchange(thread):
        manager = thread._manager  # one BlockManager per launch; blocks run one at a time
        key = (tuple(thread.blockIdx), thread.thread_id // _WARP)
        with _LOCK:
            table = manager.__dict__.setdefault("_batchdot_warps", {})
            if key not in table:
                table[key] = _WarpExchange()
            return table[key]

    def shfl_down_sync(self, mask, value, delta):
        assert mask == 0xFFFFFFFF, "the emulation supports full-warp shuffles only"
        thread = threading.current_thread()
        ex = _exchange(thread)
        lane = thread.thread_id % _WARP
        ex.values[lane] = value
        ex.barrier.wait()  # every lane has published its value
        src = lane + delta
        result = ex.values[src] if src < _WARP else value
        ex.barrier.wait()  # every lane has read before any lane publishes again
        return result

    if not hasattr(FakeCUDAModule, "shfl_down_sync"):
        FakeCUDAModule.shfl_down_sync = shfl_down_sync
