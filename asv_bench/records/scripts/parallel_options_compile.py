import time, numpy as np, sys
from numba import prange, njit
from batchdot.cpu.jit import compile_for, JIT_OPTIONS
from batchdot.cpu.clock import chunk_done, cycles, gain, region_stats
from batchdot.cpu import tiles
x=np.ones((4,5,6),np.float32); y=np.ones((4,6,7),np.float32); o=np.ones((4,5,7),np.float32)
t=time.process_time(); compile_for(tiles.tile_span,(x,y,o,np.float32(0),0,4),general=True); print("span", round(time.process_time()-t,2))
par = dict(prange=True, fusion=False, comprehension=False, setitem=False, reduction=False, inplace_binop=False, numpy=False, stencil=False)
def drv(x, y, out, zero, nchunks, nthreads):
    total = x.shape[0] * ((x.shape[1] + tiles.ROWS - 1) // tiles.ROWS)
    stats = region_stats(nthreads)
    t0 = cycles()
    for c in prange(nchunks):
        s = cycles()
        tiles.tile_span(x, y, out, zero, total * c // nchunks, total * (c + 1) // nchunks)
        chunk_done(stats, s)
    return gain(stats, cycles() - t0, nchunks)
for name, opt in [("full", True), ("prange-only", par)]:
    f = njit(parallel=opt, cache=False, nogil=True, error_model="numpy")(drv)
    t=time.process_time(); compile_for(f,(x,y,o,np.float32(0),2,2),general=True); print(name, round(time.process_time()-t,2))
