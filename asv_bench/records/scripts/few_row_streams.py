"""One thread: the tile span on few-row products, streamed and with every operand re-read from cache (batch stride 0), against np.matmul (ns a batch element).

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/few_row_streams.py
"""
import numpy as np, time, sys
import batchdot
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
rng=np.random.default_rng(0)
for dt,B,M,K,N in [("f8",4558,1,29,36),("f4",4558,1,29,36),("f8",4558,1,29,32),("f8",4558,1,29,40),("f8",4558,1,29,48),("f8",4558,1,32,36),("f8",4558,2,29,36),("f8",4558,4,29,36)]:
    x=rng.random((B,M,K)).astype(dt); y=rng.random((B,K,N)).astype(dt); o=np.empty((B,M,N),dt)
    X1=np.broadcast_to(x[:1],x.shape); Y1=np.broadcast_to(y[:1],y.shape)
    z=np.dtype(dt).type(0); items=tiles.work_items(B,M)
    span=compile_for(tiles.tile_span,(x,y,o,z,0,items),general=True)
    fs={"stream":lambda: span(x,y,o,z,0,items),"cached":lambda: span(X1,Y1,o,z,0,items),"matmul":lambda: np.matmul(x,y,out=o)}
    for f in fs.values(): f()
    ts={k:[] for k in fs}
    for r in range(9):
        for k,f in fs.items():
            t=time.perf_counter(); f(); ts[k].append(time.perf_counter()-t)
    print(dt,B,M,K,N, "  ".join(f"{k} {np.median(v)/B*1e9:7.1f} ns/elem" for k,v in ts.items()))
