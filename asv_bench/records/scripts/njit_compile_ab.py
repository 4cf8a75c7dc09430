"""njit_compile_seconds.py for a named copy of the package: old and new trees in turn.

    git archive <old commit> batchdot | tar -x -C /tmp/oldpkg && mv /tmp/oldpkg/batchdot /tmp/oldpkg/batchdot_old
    for i in 1 2 3; do PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/njit_compile_ab.py batchdot_old
                       python asv_bench/records/scripts/njit_compile_ab.py batchdot; done

(An editable install's finder shadows PYTHONPATH for the name ``batchdot``, hence the copy
under another name.)  CPU seconds to compile a user's ``@njit`` caller for three new
signatures; the kernels come from Numba's cache after the first run.
"""
import importlib
import sys
import time

import numba  # noqa: F401  (imported first: the package then registers its @njit overload)
import numpy as np
from numba import njit

batch_dot = importlib.import_module(sys.argv[1]).batch_dot
x = np.ones((3, 4, 5))
y = np.ones((3, 5, 6))
batch_dot(x, y)  # warm python engine


@njit
def f(x, y, a, b):
    return batch_dot(x, y, (a, b))


t = time.process_time()
f(x, y, 2, 1)
print(sys.argv[1], "3d f8 pair", round(time.process_time() - t, 2))
x4 = np.ones((3, 4, 2, 5))
t = time.process_time()
f(x4, y, 3, 1)
print(sys.argv[1], "4d x f8 pair", round(time.process_time() - t, 2))
x32 = np.ones((3, 4, 5), np.float32)
t = time.process_time()
f(x32, x32.transpose(0, 2, 1).copy(), 2, 1)
print(sys.argv[1], "3d f4", round(time.process_time() - t, 2))
