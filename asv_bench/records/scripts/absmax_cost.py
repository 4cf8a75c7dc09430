"""Nanoseconds per call of vector.absmax on blocks of a (B, 32, 32) float32 array, one thread,
from an @njit loop (B = 4: in L1; B = 250: 1 MB, from L2).

    NUMBA_NUM_THREADS=1 PYTHONPATH=<dir holding PKG> python asv_bench/records/scripts/absmax_cost.py PKG B
"""
import sys, time, importlib, numpy as np, numba
pk = sys.argv[1]
absmax = importlib.import_module(pk + ".cpu.vector").absmax
@numba.njit
def run(a, n, rows, cols):
    s = 0.0
    B = a.shape[0]
    for it in range(n):
        for b in range(B):
            s += absmax(a, b * a.strides[0], a.strides[1], a.strides[2], rows, cols)
    return s
a = np.random.rand(int(sys.argv[2]), 32, 32).astype(np.float32)
for rows, cols in ((1, 16), (1, 1), (32, 32), (16, 32)):
    run(a, 1, rows, cols)
    best = min((lambda t0: (run(a, 100000 // a.shape[0], rows, cols), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(3))
    print(pk, rows, cols, f"{best / ((100000 // a.shape[0]) * a.shape[0]) * 1e9:.1f} ns per scan")
