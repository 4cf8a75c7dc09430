"""One-thread streaming floor of (4000, 32, 32) float64: x + y -> out, a sum, a copy (NumPy).

    python asv_bench/records/scripts/stream_floor.py
"""
import numpy as np, time
B=4000
x=np.ones((B,32,32)); y=np.ones((B,32,32)); out=np.empty((B,32,32))
def med(f,n=15):
    f(); ts=[]
    for _ in range(n):
        t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return np.median(ts)
t=med(lambda: np.add(x,y,out=out)); print(f"add x+y->out: {t*1e3:.2f} ms, {3*x.nbytes/t/1e9:.1f} GB/s, {t/B*1e6:.2f} us/elem")
t=med(lambda: x.sum()); print(f"sum x: {t*1e3:.2f} ms, {x.nbytes/t/1e9:.1f} GB/s")
t=med(lambda: np.copyto(out,x)); print(f"copy: {t*1e3:.2f} ms, {2*x.nbytes/t/1e9:.1f} GB/s")
