"""CPU seconds to compile a family's serial span and its parallel driver, fresh process, empty cache.

    for i in 1 2 3; do
      NUMBA_CACHE_DIR=$(mktemp -d) PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/driver_compile_ab.py batchdot_old
      NUMBA_CACHE_DIR=$(mktemp -d) python asv_bench/records/scripts/driver_compile_ab.py batchdot
    done

``batchdot_old`` is another tree's package copied under that name (``git archive <commit>
batchdot``), since an editable install shadows PYTHONPATH for ``batchdot``.  Floor first
(``import numba`` and a trivial ``@njit``), then float32 tile and float64 dot.
"""
import importlib
import sys
import time

import numpy as np
from numba import njit


@njit
def triv(a):
    return a + 1


triv(1)
pkg = sys.argv[1]
jit = importlib.import_module(pkg + ".cpu.jit")
kernels = importlib.import_module(pkg + ".cpu.kernels")
for family, dt, yshape in (("tile", np.float32, (2, 4, 5)), ("dot", np.float64, (2, 5, 4))):
    x, y, o = np.ones((2, 3, 4), dt), np.ones(yshape, dt), np.empty((2, 3, 5), dt)
    span, par = kernels.family_kernels(family, np.dtype(dt))
    t = time.process_time()
    jit.compile_for(span, (x, y, o, dt(0), 0, 2), general=True)
    t1 = time.process_time()
    jit.compile_for(par, (x, y, o, dt(0), 2, 2), general=True)
    t2 = time.process_time()
    print(f"{pkg:12s} {family} {np.dtype(dt).name}: span {t1 - t:.2f} s  parallel driver {t2 - t1:.2f} s", flush=True)
