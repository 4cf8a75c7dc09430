"""Import + first and second call of small32 (4000, 32, 32) in a fresh process: CPU seconds beyond import numba and a trivial @njit.
    rm -rf /tmp/nc; NUMBA_CACHE_DIR=/tmp/nc PYTHONPATH=<tree> python first_call_small32.py float32"""
import time, resource, sys
t0=time.process_time()
import numba
@numba.njit
def f(a): return a+1
f(1)
t1=time.process_time()
import numpy as np
from batchdot import batch_dot
dt=np.dtype(sys.argv[1])
x=np.ones((4000,32,32),dt)
batch_dot(x,x)
t2=time.process_time()
batch_dot(x,x)
t3=time.process_time()
print(__import__('batchdot').__file__, dt, 'floor', round(t1-t0,2), 'first call', round(t2-t1,2), 'second', round(t3-t2,2), 'maxrss MB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024)
