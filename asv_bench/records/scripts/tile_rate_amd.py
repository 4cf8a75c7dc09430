"""GFLOP/s of batch_dot's automatic choice on stacks of square products, in cache (400 x 32^3)
and streamed (4000 x 32^3, 50000 x 8^3), and large512 (BLAS), medians of 21 calls, no NumPy
alongside.  Run with NUMBA_NUM_THREADS=1 and =2:
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE NUMBA_NUM_THREADS=1 python asv_bench/records/scripts/tile_rate_amd.py"""
import numpy as np, time, sys
import batchdot
from interleave import medians
rng=np.random.default_rng(0)
for dt in ('float32','float64'):
    for B,n in ((4000,32),(400,32),(50000,8),(16,512)):
        x=rng.standard_normal((B,n,n)).astype(dt); y=rng.standard_normal((B,n,n)).astype(dt)
        f=lambda: batchdot.batch_dot(x,y)
        t=medians([f], 21)[0]
        print(dt, B, n, f"{t:.3f} ms  {2*B*n**3/t/1e6:.1f} GFLOP/s", flush=True)
