"""The serial tile span on small32 into a fresh strided ``out`` (a [::2, ::2, ::2] view of an
8x larger array, as ``python -m batchdot bench --first-call``'s new-layout calls used): its first
call pays the page faults of that memory.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/strided_out_faults.py float64
"""
import numpy as np, time, sys
import batchdot
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
dt=np.dtype(sys.argv[1])
x=np.random.rand(4000,32,32).astype(dt); y=np.random.rand(4000,32,32).astype(dt)
batchdot.batch_dot(x,y)
o=np.empty((4000,32,32),dt)
out=np.empty((8000,64,64),dt)[::2,::2,::2]
span=compile_for(tiles.tile_span,(x,y,o,dt.type(0),0,tiles.work_items(4000,32)),general=True)
for name,oo in (("C",o),("C",o),("strided",out),("strided",out),("strided", out)):
    t=time.perf_counter(); span(x,y,oo,dt.type(0),0,tiles.work_items(4000,32)); print(name, time.perf_counter()-t)
out2=np.empty((8000,64,64),dt)[::2,::2,::2]
t=time.perf_counter(); span(x,y,out2,dt.type(0),0,tiles.work_items(4000,32)); print("fresh strided", time.perf_counter()-t)
out3=np.empty((8000,64,64),dt)[::2,::2,::2]; out3[...]=0
t=time.perf_counter(); span(x,y,out3,dt.type(0),0,tiles.work_items(4000,32)); print("touched strided", time.perf_counter()-t)
