"""One thread, dot_span from an @njit loop on vector-matrix products: y streamed or cached (stride-0 batch).
Run: NUMBA_NUM_THREADS=1 python asv_bench/records/scripts/dot_stream_iso.py"""
import time, sys, numpy as np
from numba import njit
from batchdot.cpu.dots import dot_span
@njit
def run(x, yt, out, zero, reps):
    for _ in range(reps):
        dot_span(x, yt, out, zero, 0, out.shape[0] * out.shape[1])
rng = np.random.default_rng(0)
for dt in ("float32", "float64"):
  for B, N, K in [(10000, 32, 64), (10000, 32, 128), (20000, 16, 64)]:
    dt = np.dtype(dt)
    x = rng.standard_normal((B, 1, K)).astype(dt); yt = rng.standard_normal((B, N, K)).astype(dt); o = np.empty((B, 1, N), dt)
    y1 = np.broadcast_to(yt[:1], yt.shape)
    def med(f, n=9):
        f(); ts=[]
        for _ in range(n):
            t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
        return np.median(ts)
    ts = med(lambda: run(x, yt, o, dt.type(0), 3)) / 3
    tc = med(lambda: run(x, y1, o, dt.type(0), 3)) / 3
    print(f"{dt.name} B={B} N={N} K={K}: stream {ts*1e3:.2f} ms {yt.nbytes/ts/1e9:.1f} GB/s   y cached {tc*1e3:.2f} ms {yt.nbytes/tc/1e9:.1f} GB/s(eq)", flush=True)
