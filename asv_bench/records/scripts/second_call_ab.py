"""CPU seconds of the first and second call of small32 for several dtypes in turn, fresh process.

    NUMBA_CACHE_DIR=$(mktemp -d) python asv_bench/records/scripts/second_call_ab.py batchdot_old|batchdot

``batchdot_old``: another tree's package copied under that name (``git archive <commit>
batchdot | tar -x -C /tmp/oldpkg && mv /tmp/oldpkg/batchdot /tmp/oldpkg/batchdot_old``, with
``PYTHONPATH=/tmp/oldpkg``).  The second call of a kernel that may run in parallel builds its
parallel entry: per family and dtype a Numba ``parallel=True`` driver before the one shared
driver (``batchdot.cpu.chunks``), which is compiled once for all.
"""
import importlib
import resource
import sys

import numpy as np


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


t0 = cpu()
pkg = importlib.import_module(sys.argv[1])
print(f"{sys.argv[1]:12s} import {cpu() - t0:.2f} s")
for dt in ("float32", "float64", "complex64", "int8", "bool", "float16"):
    x = (np.arange(4000 * 32 * 32) % 3).reshape(4000, 32, 32).astype(dt)
    times = []
    for _ in range(2):
        t0 = cpu()
        pkg.batch_dot(x, x)
        times.append(cpu() - t0)
    print(f"{sys.argv[1]:12s} small32 {dt:9s} first call {times[0]:.2f} s, second call {times[1]:.2f} s", flush=True)
