"""One thread, tile_span called from an @njit loop (no call overhead): small32-shaped products
(4000 batch elements of 32 x 32) with x, y and out each either streamed (distinct batch
elements) or kept in cache (a stride-0 batch axis: one element over and over).
Run: NUMBA_NUM_THREADS=1 python asv_bench/records/scripts/tile_streams_iso.py float32"""
import time, sys, numpy as np
from numba import njit
from batchdot.cpu.tiles import tile_span
dt = np.dtype(sys.argv[1]); B = 4000
@njit
def run(x, y, out, zero, reps):
    for _ in range(reps):
        tile_span(x, y, out, zero, 0, out.shape[0])
rng = np.random.default_rng(0)
X = rng.standard_normal((B,32,32)).astype(dt); Y = rng.standard_normal((B,32,32)).astype(dt); O = np.empty_like(X)
x1 = np.broadcast_to(X[:1], X.shape); y1 = np.broadcast_to(Y[:1], X.shape)
o1 = np.lib.stride_tricks.as_strided(O[:1], X.shape, (0,) + O.strides[1:])
def med(f, n=9):
    f(); ts=[]
    for _ in range(n):
        t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return np.median(ts)
for name, args in [("all stream", (X, Y, O)), ("x,y cached; out stream", (x1, y1, O)), ("out cached; x,y stream", (X, Y, o1)), ("x stream", (X, y1, o1)), ("y stream", (x1, Y, o1)), ("all cached", (x1, y1, o1))]:
    t = med(lambda: run(*args, dt.type(0), 10))
    print(f"{name:28s} {2*32**3*B*10/t/1e9:6.1f} GF/s")
