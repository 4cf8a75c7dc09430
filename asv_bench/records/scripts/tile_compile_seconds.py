"""CPU seconds to compile tile_span and tile_parallel for float32 in a fresh process (run with an empty NUMBA_CACHE_DIR).

Used for the block-intrinsic A/B of 2026-12-01 evening (tile_span 1.48 s at the new layout against
1.52 s before, one run each, dev VM) and for the shared strided store of 2026-12-02
(records/2026-12-02-0155-strided-store-compile.txt); a second run in the same cache shows the load time.
"""
import time, numpy as np, numba
from numba import njit
@njit
def triv(a): return a+1
triv(1)
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
x=np.ones((2,3,4),np.float32); y=np.ones((2,4,5),np.float32); o=np.empty((2,3,5),np.float32)
t=time.process_time(); compile_for(tiles.tile_span,(x,y,o,np.float32(0),0,2),general=True); print('span', time.process_time()-t)
t=time.process_time(); compile_for(tiles.tile_parallel,(x,y,o,np.float32(0),2,2),general=True); print('par', time.process_time()-t)
