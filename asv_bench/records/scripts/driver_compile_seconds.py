"""CPU seconds to compile the one parallel driver (``chunks.compile_driver``), fresh process.

    NUMBA_CACHE_DIR=$(mktemp -d) PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/driver_compile_seconds.py batchdot_old
    NUMBA_CACHE_DIR=$(mktemp -d) python asv_bench/records/scripts/driver_compile_seconds.py batchdot

After the floor (``import numba``, a trivial ``@njit``) and the threading layer's launch; with
an empty cache that is the compilation, with a warm one the load.
"""
import importlib
import resource
import sys

import numba


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@numba.njit
def trivial(a):
    return a + 1


trivial(1)
numba.get_num_threads()  # launches the threading layer
chunks = importlib.import_module(sys.argv[1] + ".cpu.chunks")
t0 = cpu()
chunks.compile_driver()
print(f"{sys.argv[1]:12s} driver {cpu() - t0:.2f} s")
