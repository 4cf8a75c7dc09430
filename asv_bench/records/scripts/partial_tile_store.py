"""Partial-tile A/B of 2026-12-02: batch_dot(x, y, kernel="tile") on shapes whose N leaves partial tiles (medians of 31 calls, ms).

Run from each checkout in separate processes, alternated; records/2026-12-02-0210-partial-tile-store.txt.
"""
import numpy as np, time
from batchdot import batch_dot
rng=np.random.default_rng(0)
out=[]
for dt, shapes in (('float32', [(50000,8,8,12),(4000,32,32,24),(20000,16,4,12)]), ('float64',[(50000,8,8,6),(4000,32,32,12)])):
    for B,M,K,N in shapes:
        x=rng.standard_normal((B,M,K)).astype(dt); y=rng.standard_normal((B,K,N)).astype(dt)
        f=lambda: batch_dot(x,y,kernel='tile')
        for _ in range(5): f()
        ts=[]
        for _ in range(31):
            t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
        out.append(f"{dt} {M}x{K}x{N} {np.median(ts)*1e3:.2f}")
print(" | ".join(out))
