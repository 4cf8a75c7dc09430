"""One thread: trees on PYTHONPATH (package names, comma separated), the plain C tiles of
``c_tiles_8x2.c`` (built to /tmp/x27/mk.so, N = 32 float32 only) and ``np.matmul`` on
(B, M, K) @ (B, K, N) products, medians of 30 interleaved rounds, GFLOP/s.

    OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        PYTHONPATH=<trees> python tile_overheads.py float32 batchdot,batchdot_hack BxMxKxN,...

The 2026-12-08 exploration ran it on hacked copies of the tree (not committed): without the
overflow scan (``fused = True``, unsafe), without the software prefetch (``px = py = po = 0``),
both, and the check after (``-0217-tile-overheads.txt``).
"""
import sys, time, numba, numpy as np, ctypes
import importlib
mods=[importlib.import_module(m) for m in sys.argv[2].split(",")]
lib = ctypes.CDLL("/tmp/x27/mk.so")
P = lambda a: a.ctypes.data_as(ctypes.c_void_p)
numba.set_num_threads(1)
dt=np.dtype(sys.argv[1])
SHAPES=[tuple(map(int,s.split("x"))) for s in sys.argv[3].split(",")]
for (B,M,K,N) in SHAPES:
    x, y = np.random.rand(B, M, K).astype(dt), np.random.rand(B, K, N).astype(dt)
    o = np.empty((B,M,N),dt)
    fs={m.__name__:(lambda m=m: m.batch_dot(x, y, out=o)) for m in mods}
    fs["c8"]=lambda: lib.tiles8(ctypes.c_long(B), ctypes.c_long(M), ctypes.c_long(K), P(x), P(y), P(o))
    fs["np"]=lambda: np.matmul(x,y,out=o)
    for k,f in fs.items():
        f();f()
        if k!="np": assert np.allclose(o, np.matmul(x.astype(float),y.astype(float)), rtol=1e-4), k
    ts={k:[] for k in fs}
    for _ in range(30):
        for k,f in fs.items():
            t0=time.perf_counter(); 
            for _ in range(max(1, 2000//B)): f()
            ts[k].append((time.perf_counter()-t0)/max(1, 2000//B))
    fl=2*B*M*K*N
    print((B,M,K,N), "  ".join(f"{k} {fl/np.median(v)/1e9:.1f}" for k,v in ts.items()))
