"""Fresh-output A/B of 2026-12-02 (store without reading C): squash, small8, small32 medians in ms.

Run from each build in separate processes, alternated; records/2026-12-02-0228-store-without-read.txt.
"""
import numpy as np, time
from batchdot import batch_dot
rng=np.random.default_rng(0)
out=[]
for dt in ('float32','float64'):
    for name,(xs,ys) in (('squash',((64,12,4,5),(64,12,5,8))),('small8',((50000,8,8),(50000,8,8))),('small32',((4000,32,32),(4000,32,32)))):
        x=rng.standard_normal(xs).astype(dt); y=rng.standard_normal(ys).astype(dt)
        f=lambda: batch_dot(x,y)
        for _ in range(5): f()
        ts=[]
        for _ in range(41 if name!='squash' else 201):
            t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
        out.append(f"{dt} {name} {np.median(ts)*1e3:.3f}")
print(" | ".join(out))
