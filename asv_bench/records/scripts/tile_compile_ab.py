"""CPU seconds to compile tile_span for one dtype in a fresh process, for two trees (the package
or ``batchdot_old`` on PYTHONPATH); run with an empty NUMBA_CACHE_DIR each time.

    rm -rf /tmp/nbc; NUMBA_CACHE_DIR=/tmp/nbc PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/tile_compile_ab.py batchdot_old|batchdot float32
"""
import sys, time, resource, importlib, numpy as np, numba
@numba.njit
def triv(a): return a+1
triv(1)
pkg = sys.argv[1]
tiles = importlib.import_module(pkg + ".cpu.tiles")
jit = importlib.import_module(pkg + ".cpu.jit")
dt = np.dtype(sys.argv[2])
x = np.ones((2, 3, 4), dt); y = np.ones((2, 4, 5), dt); o = np.empty((2, 3, 5), dt)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
t = cpu()
jit.compile_for(tiles.tile_span, (x, y, o, dt.type(0), 0, 2), general=True)
print(f"{pkg:14s} {dt} tile_span compile {cpu() - t:.2f} s CPU")
