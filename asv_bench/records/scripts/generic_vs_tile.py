"""generic against tile (kernel= forced) on the rowdot and vecmat workloads, per dtype spec X or X,Y.

NumPy's time casts both operands with astype (a copy even when the dtype is unchanged), so only
the two batchdot columns of one row compare; output: records/2026-12-01-2128-generic-vs-tile.txt.
"""
import numpy as np, time, sys
from batchdot import batch_dot
from batchdot.bench.cpu import WORKLOADS
rng=np.random.default_rng(0)
def mk(shape, dt):
    dt=np.dtype(dt)
    if dt.kind=='c': return (rng.standard_normal(shape)+1j*rng.standard_normal(shape)).astype(dt)
    if dt.kind=='b': return rng.random(shape)<0.3
    if dt.kind in 'iu': return rng.integers(0,5,shape).astype(dt)
    return rng.standard_normal(shape).astype(dt)
def t(f, n=7):
    f(); ts=[]
    for _ in range(n):
        s=time.perf_counter(); f(); ts.append(time.perf_counter()-s)
    return np.median(ts)
for dts in sys.argv[1:]:
    dx,_,dy = dts.partition(',') ; dy = dy or dx
    for w in ('rowdot','vecmat'):
        xs, ys, axes, peers = WORKLOADS[w]
        x, y = mk(xs, dx), mk(ys, dy)
        od = np.result_type(x, y)
        best = min(t(lambda: p(x.astype(od), y.astype(od))) for p in peers.values())
        r = {k: t(lambda: batch_dot(x, y, axes, kernel=k)) for k in ('generic','tile')}
        print(f"{dts:16s} {w:7s} numpy {best*1e3:7.2f} ms  generic {best/r['generic']:.2f}  tile {best/r['tile']:.2f}")
