"""One thread: tile_span against np.matmul, every operand streamed, with the operands allocated apart
(NumPy's own placement) and at chosen offsets from page starts.

    B=4000 NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/tile_offsets.py float64 32 32 32
"""
import numpy as np, time, sys, os
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
dt=np.dtype(sys.argv[1]); M,K,N=[int(v) for v in sys.argv[2:5]]; B=int(os.environ.get("B","4000"))
def arr(shape, off):
    n=int(np.prod(shape))*dt.itemsize
    raw=np.empty(n+off+4096, np.uint8)
    return raw[off:off+n].view(dt).reshape(shape)
res={}
cases={"default":(0,0,0),"shift 1/3 page":(0,1344,2752),"shift 3K,5K":(0,3072,5120+64)}
fs={}
for name,offs in cases.items():
    X=np.ones((B,M,K),dt); Y=np.ones((B,K,N),dt); O=np.empty((B,M,N),dt)
    if name!="default":
        X=arr((B,M,K),offs[0]); Y=arr((B,K,N),offs[1]); O=arr((B,M,N),offs[2]); X[:]=1; Y[:]=1
    total=tiles.work_items(B,M)
    span=compile_for(tiles.tile_span,(X,Y,O,dt.type(0),0,total),general=True)
    fs[name+" tiles"]=(lambda span=span,x=X,y=Y,out=O,total=total: span(x,y,out,dt.type(0),0,total))
    fs[name+" matmul"]=(lambda x=X,y=Y,out=O: np.matmul(x,y,out=out))
ts={k:[] for k in fs}
for rep in range(15):
    for k,f in fs.items():
        t=time.perf_counter(); f(); ts[k].append((time.perf_counter()-t)/B)
for k in fs:
    t=np.median(ts[k]); print(f"{k:26s}: {t*1e6:.2f} us/elem {2*M*N*K/t/1e9:.1f} GFLOP/s")
