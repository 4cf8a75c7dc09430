"""One thread: two few-row products ((8000, 4, 32)·(8000, 32, 64) float32, (4000, 4, 128)·(4000, 128, 16) float64)
through batch_dot, the working tree against three earlier trees copied under other names into one folder:
batchdot_old (cb0095b), batchdot_1a800e0, batchdot_42f73fb (git archive, renamed), 15 interleaved rounds, medians.

    NUMBA_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/h3 python asv_bench/records/scripts/few_rows_trees_ab.py
"""
import numpy as np, time, batchdot, batchdot_old, batchdot_1a800e0 as A, batchdot_42f73fb as C
rng=np.random.default_rng(0)
for dt,B,M,K,N in [("f4",8000,4,32,64),("f8",4000,4,128,16)]:
    x=rng.random((B,M,K)).astype(dt); y=rng.random((B,K,N)).astype(dt)
    fs={"worktree":lambda: batchdot.batch_dot(x,y),"cb0095b":lambda: batchdot_old.batch_dot(x,y),"1a800e0":lambda: A.batch_dot(x,y),"42f73fb":lambda: C.batch_dot(x,y)}
    for f in fs.values(): f(); f()
    ts={k:[] for k in fs}
    for r in range(15):
        for k,f in (fs.items() if r%2 else reversed(fs.items())):
            t=time.perf_counter(); f(); ts[k].append(time.perf_counter()-t)
    print(dt,B,M,K,N,{k:f"{np.median(v)*1e3:.3f}" for k,v in ts.items()})
