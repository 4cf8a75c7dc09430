"""Transposing copies of y stored (B, N, K) into (B, K, N), as the tiles stage it for q . k^T
products: cpu.stage (NumPy's copy) against a compiled copy in 16 x 16 blocks (Numba, serial)
and NumPy copies of blocks of 8-64 columns (Python loop over column blocks); best of 5 x 5.
Run: NUMBA_CACHE_DIR=$(mktemp -d) env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/transpose_copies.py"""
import numpy as np, timeit, time
from batchdot.cpu.jit import jit, compile_for
from batchdot.cpu import stage

@jit
def _transpose_blocks(src, dst):
    """dst[b] = src[b].T, in 16 x 16 blocks."""
    B, R, C = src.shape
    for b in range(B):
        for i0 in range(0, R, 16):
            i1 = min(i0 + 16, R)
            for j0 in range(0, C, 16):
                j1 = min(j0 + 16, C)
                for j in range(j0, j1):
                    for i in range(i0, i1):
                        dst[b, j, i] = src[b, i, j]

rng=np.random.default_rng(0)
t0=time.process_time()
for dt in (np.float32,np.float64):
    y=rng.standard_normal((2,3,4)).astype(dt); o=np.empty((2,4,3),dt)
    compile_for(_transpose_blocks,(y,o),general=True,outputs=(1,))
print("compile both dtypes", time.process_time()-t0)
for (B,N,K) in [(20,96,1024),(64,128,64),(8,512,64),(100,64,256),(32,256,64),(1000,16,64),(12,267,149)]:
  for dt in (np.float32,np.float64):
    y=rng.standard_normal((B,N,K)).astype(dt)
    ref=np.ascontiguousarray(y.transpose(0,2,1))
    def mine():
        out=np.empty((B,K,N),dt); _transpose_blocks(y,out); return out
    assert np.array_equal(mine(),ref)
    def numpy_blocks(bk):
        out=np.empty((B,K,N),dt)
        for j0 in range(0,K,bk):
            out[:, j0:j0+bk, :] = y[:, :, j0:j0+bk].transpose(0,2,1)
        return out
    fns=[("stage",lambda: stage(y,(0,2,1))),("numba 16x16",mine)]+[(f"numpy cols{bk}",(lambda bk=bk: numpy_blocks(bk))) for bk in (8,32,64)]
    for _, g in fns: assert np.array_equal(g(),ref)
    t={k: min(timeit.repeat(g,number=5,repeat=5))/5*1e3 for k,g in fns}
    print((B,N,K),np.dtype(dt).name," ".join(f"{k} {v:.3f} ms" for k,v in t.items()),flush=True)
