"""CPU seconds to compile tile_span for one dtype, every layout (the engine's general signature),
in a fresh process:  NUMBA_CACHE_DIR=$(mktemp -d) python tile_span_compile_seconds.py float32
(A/B: PYTHONPATH=<a copy of each tree>.)"""
import time, sys, numpy as np, numba
from numba import njit
@njit
def triv(a): return a+1
triv(1)
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
dt=np.dtype(sys.argv[1])
x=np.ones((4,32,32),dt); o=np.empty((4,32,32),dt)
t=time.process_time(); compile_for(tiles.tile_span,(x,x,o,dt.type(0),0,4),general=True); print(f"tile_span {dt}: {time.process_time()-t:.2f} CPU s")
