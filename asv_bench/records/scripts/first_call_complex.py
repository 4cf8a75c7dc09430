"""CPU seconds of a first complex call in a fresh process with an empty Numba cache.

    for tree in /tmp/base /work/main; do
        NUMBA_CACHE_DIR=$(mktemp -d) PYTHONPATH=$tree python asv_bench/records/scripts/first_call_complex.py complex64
    done

Prints the tree, ``import numba``'s CPU seconds, then the first and second call's of
``batch_dot`` on a (16, 512, 512) x (16, 512, 512) product, or of the shape given second
(``4000,32,32``: x and y of that shape).
"""
import sys
import time

t0 = time.process_time()
import numba  # noqa: E402,F401

t1 = time.process_time()
import numpy as np  # noqa: E402

import batchdot  # noqa: E402

dt = np.dtype(sys.argv[1])
rng = np.random.default_rng(0)
shape = tuple(map(int, sys.argv[2].split(","))) if len(sys.argv) > 2 else (16, 512, 512)
x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
t2 = time.process_time()
batchdot.batch_dot(x, x)
t3 = time.process_time()
batchdot.batch_dot(x, x)
t4 = time.process_time()
print(f"{batchdot.__file__}: {dt.name} {shape} import numba {t1 - t0:.2f} s, first call (with import batchdot) {t3 - t2 + 0:.2f} s, "
      f"second {t4 - t3:.2f} s")
