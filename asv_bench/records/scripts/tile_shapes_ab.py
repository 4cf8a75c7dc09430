"""One thread, A/B/C over shapes (arguments: dtype,B,M,K,N ...; default: the list SH): the working tree
(new), ``batchdot_old`` (a variant) and ``batchdot_head`` (an earlier commit), each a copy of the package
under that name in the PYTHONPATH folder, against np.matmul; plain NumPy allocations, 11 interleaved rounds
(order reversed every other), medians.  ``tile_shapes_rep.sh N`` runs it in N fresh processes (operand
placement differs between processes: single runs moved up to 15 %) and prints per-shape medians.

    NUMBA_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg2 python asv_bench/records/scripts/tile_shapes_ab.py
"""
import numpy as np, time, sys
import batchdot, batchdot_old, batchdot_head
rng=np.random.default_rng(0)
SH=[("f8",8000,16,16,16),("f4",50000,8,8,8),("f8",50000,8,8,8),("f8",1000,64,32,64),("f8",64,128,128,128),("f4",16000,16,16,16),("f8",20000,12,5,16)]
if len(sys.argv) > 1:
    SH = [(a.split(',')[0], *(int(v) for v in a.split(',')[1:])) for a in sys.argv[1:]]
for dt,B,M,K,N in SH:
    x=rng.random((B,M,K)).astype(dt); y=rng.random((B,K,N)).astype(dt); o=np.empty((B,M,N),dt)
    fs={"new":lambda: batchdot.batch_dot(x,y,out=o),"variant":lambda: batchdot_old.batch_dot(x,y,out=o),"head":lambda: batchdot_head.batch_dot(x,y,out=o),"matmul":lambda: np.matmul(x,y,out=o)}
    for f in fs.values(): f(); f()
    ts={k:[] for k in fs}
    for r in range(11):
        for k,f in (fs.items() if r%2 else reversed(fs.items())):
            t=time.perf_counter(); f(); ts[k].append(time.perf_counter()-t)
    m={k:np.median(v)*1e3 for k,v in ts.items()}
    print(f"{dt} B={B:5d} {M}x{K}x{N}: " + "  ".join(f"{k} {v:6.3f}" for k,v in m.items()) + f"   new/variant {m['variant']/m['new']:.2f} new/head {m['head']/m['new']:.2f}", flush=True)
