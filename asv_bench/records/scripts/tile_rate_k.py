"""One thread: the tile span with every operand in cache (batch stride 0), GFLOP/s per shape.

    NUMBA_NUM_THREADS=1 python asv_bench/records/scripts/tile_rate_k.py float32|float64
"""
import numpy as np, time, sys
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
dt=np.dtype(sys.argv[1]); B=1024
for (M,K,N) in [(32,32,32),(32,64,32),(32,128,32),(32,256,32),(64,32,32),(32,32,64),(64,64,64)]:
    X=np.random.rand(1,M,K).astype(dt); Y=np.random.rand(1,K,N).astype(dt); O=np.empty((1,M,N),dt)
    X1=np.broadcast_to(X,(B,M,K)); Y1=np.broadcast_to(Y,(B,K,N)); O1=np.lib.stride_tricks.as_strided(O,(B,M,N),(0,)+O.strides[1:])
    total=tiles.work_items(B,M)
    span=compile_for(tiles.tile_span,(X1,Y1,O1,dt.type(0),0,total),general=True)
    ts=[]
    for r in range(30):
        t=time.perf_counter(); span(X1,Y1,O1,dt.type(0),0,total); ts.append((time.perf_counter()-t)/B)
    t=np.median(ts)
    print(f"{M}x{K}x{N}: {t*1e6:.3f} us/elem {2*M*N*K/t/1e9:.1f} GFLOP/s")
