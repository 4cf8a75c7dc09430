"""One-thread tile span on (B, M, K)·(B, K, N) (B from the environment, default 1024): which operand streaming from memory costs what; then np.matmul of the streamed operands.

    B=4000 NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/tile_streams.py float64 32 32 32

"fixed" operands have batch stride 0 (one batch element re-read from cache), the others stream.
"""
import numpy as np, time, sys
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
dt=np.dtype(sys.argv[1]); M,K,N=[int(v) for v in sys.argv[2:5]]; import os; B=int(os.environ.get("B","1024"))
X=np.ones((B,M,K),dt); Y=np.ones((B,K,N),dt); O=np.empty((B,M,N),dt)
X1=np.broadcast_to(X[:1],X.shape); Y1=np.broadcast_to(Y[:1],Y.shape); O1=np.lib.stride_tricks.as_strided(O[:1],O.shape,(0,)+O.strides[1:])
fs={}
for name,(x,y,out) in {"all stream":(X,Y,O),"x fixed":(X1,Y,O),"y fixed":(X,Y1,O),"out fixed":(X,Y,O1),"only x streams":(X,Y1,O1),"only y":(X1,Y,O1),"only out":(X1,Y1,O),"none":(X1,Y1,O1)}.items():
    total=tiles.work_items(B,M)
    span=compile_for(tiles.tile_span,(x,y,out,dt.type(0),0,total),general=True)
    fs[name]=(lambda span=span,x=x,y=y,out=out,total=total: span(x,y,out,dt.type(0),0,total))
ts={k:[] for k in fs}
for rep in range(15):
    for k,f in fs.items():
        t=time.perf_counter(); f(); ts[k].append((time.perf_counter()-t)/B)
ts["matmul"]=[]
for rep in range(15):
    t=time.perf_counter(); np.matmul(X,Y,out=O); ts["matmul"].append((time.perf_counter()-t)/B)
for k in ts:
    t=np.median(ts[k]); print(f"{k:15s}: {t*1e6:.2f} us/elem {2*M*N*K/t/1e9:.1f} GFLOP/s")
