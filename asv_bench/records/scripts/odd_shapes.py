"""Shapes and dtypes the bench does not have (huge batches of 2 x 2 products, K = 1 outer
products, one long dot per batch element in 3-D form, bool, int, complex, tiny calls):
batch_dot against one NumPy spelling each, medians of interleaved repeats, idle (interleaved:
NumPy's BLAS threads may still spin before batch_dot's calls).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/odd_shapes.py"""
import numpy as np

import batchdot
from interleave import medians, reps_for

rng = np.random.default_rng(0)
cases=[
 ('1e6 2x2 mm f8', (1000000,2,2),(1000000,2,2),None,'f8', lambda x,y: np.matmul(x,y)),
 ('1e6 3x3 mm f4', (1000000,3,3),(1000000,3,3),None,'f4', lambda x,y: np.matmul(x,y)),
 ('1e6 row K=3 f8', (1000000,3),(1000000,3),1,'f8', lambda x,y: np.einsum('ij,ij->i',x,y)),
 ('1e5 vec 3x3 f8', (100000,3),(100000,3,3),(1,2),'f8', lambda x,y: np.einsum('bk,bnk->bn',x,y)),
 ('B=1 256^3 f4', (1,256,256),(1,256,256),None,'f4', lambda x,y: np.matmul(x,y)),
 ('int64 small8', (50000,8,8),(50000,8,8),None,'i8', lambda x,y: np.matmul(x,y)),
 ('int32 row', (200000,64),(200000,64),1,'i4', lambda x,y: np.einsum('ij,ij->i',x,y)),
 ('c16 small8', (50000,8,8),(50000,8,8),None,'c16', lambda x,y: np.matmul(x,y)),
 ('tiny c16 mm', (4,2,3),(4,3,5),None,'c16', lambda x,y: np.matmul(x,y)),
 ('tiny i8 row', (4,3),(4,3),1,'i8', lambda x,y: np.einsum('ij,ij->i',x,y)),
 ('tiny bool mm', (4,2,3),(4,3,5),None,'?', lambda x,y: np.matmul(x,y)),
 ('K=1 outer f8', (10000,16,1),(10000,1,16),None,'f8', lambda x,y: np.matmul(x,y)),
 ('long K row f4', (4,1000000),(4,1000000),1,'f4', lambda x,y: np.einsum('ij,ij->i',x,y)),
 ('M=1 N=1 K big 3d', (8,1,200000),(8,200000,1),None,'f8', lambda x,y: np.matmul(x,y)),
]
for name,xs,ys,ax,dt,f in cases:
    x=(rng.standard_normal(xs)*3).astype(dt); y=(rng.standard_normal(ys)*3).astype(dt)
    if dt == 'c16':
        x = x + 1j * x[::-1]
    fns=[lambda: batchdot.batch_dot(x,y,ax), lambda: f(x,y)]
    r=reps_for(fns[1],0.3)
    t=medians(fns, r, unit=1e-6)
    print(f"{name:18s} bd {t[0]:10.1f} us  np {t[1]:10.1f} us  ratio {t[1]/t[0]:.2f}", flush=True)
