"""One thread, batch_dot of (4000, 32, 32) pairs: the working tree against ``batchdot_old`` (see tree_ab.py),
x, y and out placed in one buffer from a 2 MiB boundary plus MISALIGN bytes (argument 2), y and out further
shifted by the offsets listed in ``offs``.  NumPy's own large arrays start 16 bytes into a cache line.

    NUMBA_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/tile_misalign_ab.py float64 16
"""
import numpy as np, time, sys
import batchdot, batchdot_old
dt=np.dtype(sys.argv[1]) if len(sys.argv)>1 else np.dtype(np.float64)
B=4000; n=B*32*32*dt.itemsize; MB32=32<<20
buf=np.zeros(3*MB32+(1<<20)*3, np.uint8)
base=(-buf.ctypes.data)%(1<<21)+int(sys.argv[2])
def at(off): return buf[base+off:base+off+n].view(dt).reshape(B,32,32)
rng=np.random.default_rng(0)
offs=[0]
print("dy\\do", *[f"{o:>12d}" for o in offs])
for dy in offs:
    row=[]
    for do in offs:
        x=at(0); y=at(MB32+(1<<20)+dy); o=at(2*MB32+(2<<20)+do)
        x[:]=rng.random(x.shape); y[:]=rng.random(y.shape)
        fs={"new":lambda: batchdot.batch_dot(x,y,out=o), "old":lambda: batchdot_old.batch_dot(x,y,out=o)}
        for f in fs.values(): f()
        ts={k:[] for k in fs}
        for r in range(15):
            for k,f in fs.items():
                t=time.perf_counter(); f(); ts[k].append(time.perf_counter()-t)
        row.append(f"{np.median(ts['new'])*1e3:5.2f}/{np.median(ts['old'])*1e3:5.2f}")
    print(f"{dy:6d}", *row, flush=True)
