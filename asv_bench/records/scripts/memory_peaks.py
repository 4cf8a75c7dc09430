"""Peak allocation of batch_dot calls (tracemalloc sees NumPy's arrays): (peak MB, result MB).

An operand whose free axes cannot merge (staged once) and a np.broadcast_to view (never
materialised).  The last line is a call-cache miss with the kernels already loaded.

    python asv_bench/records/scripts/memory_peaks.py
"""
import numpy as np, tracemalloc, batchdot
from batchdot import batch_dot
def peak(f):
    tracemalloc.start(); tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    r = f()
    p = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return p / 1e6, r.nbytes / 1e6
rng = np.random.default_rng(0)
# unmergeable y: free axes (3, 4) of y with a transposed layout
y = rng.standard_normal((50, 64, 40, 100)).transpose(0, 1, 3, 2)  # (50, 64, 100, 40), y free axes 2,3 -> cannot merge after contracting axis1
x = rng.standard_normal((50, 8, 64))
print("y MB", y.nbytes/1e6)
for i in range(3): print("unmergeable", peak(lambda: batch_dot(x, y, (2, 1))))
base = rng.standard_normal((20, 1, 64, 200))
yb = np.broadcast_to(base, (20, 50, 64, 200)).transpose(0, 2, 1, 3)  # (20, 64, 50, 200) zero stride on axis 2
xb = rng.standard_normal((20, 4, 64))
print("yb view MB", yb.size*8/1e6, "real", base.nbytes/1e6)
for i in range(3): print("zero-stride", peak(lambda: batch_dot(xb, yb, (2, 1))))
y2 = rng.standard_normal((50, 64, 40, 101)).transpose(0, 1, 3, 2)
print("unmergeable, new shape, kernels loaded", peak(lambda: batch_dot(x, y2, (2, 1))), "staged MB", y2.nbytes/1e6)
