"""One thread: four of the unseen sweep's (seed 7) products, the working tree against ``batchdot_old`` (see
tree_ab.py), 41 interleaved rounds, medians.

    NUMBA_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/unseen_cases_ab.py
"""
import numpy as np, time, sys
import batchdot, batchdot_old
rng=np.random.default_rng(0)
cases=[((8,5,54),(8,54,12,132),(2,1),"T",np.float64),((3175,50),(3175,50,2),(1,1),"C",np.float64),((3175,50),(3175,50,2),(1,1),"C",np.float32),((8,5,54),(8,54,12,132),(2,1),"C",np.float32)]
for xs,ys,axes,lay,dt in cases:
    x=rng.random(xs).astype(dt); y=rng.random(ys).astype(dt)
    if lay=="T": x=np.ascontiguousarray(x.transpose(0,2,1)).transpose(0,2,1)
    fs={"new":lambda: batchdot.batch_dot(x,y,axes),"old":lambda: batchdot_old.batch_dot(x,y,axes)}
    for f in fs.values(): f(); f()
    ts={k:[] for k in fs}
    for r in range(41):
        for k,f in (fs.items() if r%2 else reversed(fs.items())):
            t=time.perf_counter(); f(); ts[k].append(time.perf_counter()-t)
    m={k:np.median(v)*1e6 for k,v in ts.items()}
    print(xs,ys,lay,dt.__name__, f"new {m['new']:.1f} us old {m['old']:.1f} us new/old speed {m['old']/m['new']:.2f}")
