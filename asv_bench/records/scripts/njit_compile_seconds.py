"""CPU seconds to compile a user's @njit function calling batch_dot, for three new signatures.

    for i in 1 2 3; do python asv_bench/records/scripts/njit_compile_seconds.py; done

The engine's kernels come from Numba's cache after the first run; the first line also pays
for the helpers every caller shares.  Take the smallest of three runs per line (noisy VM).
"""
import time, numpy as np, sys
from numba import njit
from batchdot import batch_dot
x=np.ones((3,4,5)); y=np.ones((3,5,6))
batch_dot(x,y)  # warm python engine
@njit
def f(x,y,a,b): return batch_dot(x,y,(a,b))
t=time.process_time(); f(x,y,2,1); print('3d f8 pair', time.process_time()-t)
x4=np.ones((3,4,2,5)); 
t=time.process_time(); f(x4,y,3,1); print('4d x f8 pair', time.process_time()-t)
x32=np.ones((3,4,5),np.float32)
t=time.process_time(); f(x32,x32.transpose(0,2,1).copy(),2,1); print('3d f4', time.process_time()-t)
