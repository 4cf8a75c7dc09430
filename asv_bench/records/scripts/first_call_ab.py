"""CPU seconds of one first call (100, 32, 32) x (100, 32, 32) of a dtype in a fresh process, beyond
import numba and a trivial @njit (run with an empty NUMBA_CACHE_DIR): python first_call_ab.py DTYPE [KERNEL].

For an A/B of two commits, run it from each checkout with PYTHONPATH set to that checkout.
"""
import sys
import time

import numpy as np
from numba import njit


@njit
def triv(a):
    return a + 1


triv(1)
t0 = time.process_time()
import batchdot  # noqa: E402

dt = np.dtype(sys.argv[1])
fam = sys.argv[2] if len(sys.argv) > 2 else None
x = np.ones((100, 32, 32), dt) * (1 + 1j if dt.kind == "c" else 1)
batchdot.batch_dot(x, x.copy(), kernel=fam)
print(sys.argv[1:], "first call CPU s", round(time.process_time() - t0, 2))
