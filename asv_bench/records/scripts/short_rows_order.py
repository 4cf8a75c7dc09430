"""Row dots past short_rows (K = 9, 12, 16), idle, two threads: the working tree against batchdot_old with the order of the two reversed every round (timeit of 5 calls, medians of 20 rounds).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/short_rows_order.py"""
import numpy as np, batchdot, batchdot_old, timeit
rng=np.random.default_rng(0)
for K in (9,12,16):
  for dt in (np.float32,np.float64,np.int32):
    x=(rng.standard_normal((200000,K))*9).astype(dt); y=(rng.standard_normal((200000,K))*9).astype(dt)
    f=lambda: batchdot.batch_dot(x,y,1); g=lambda: batchdot_old.batch_dot(x,y,1)
    for _ in range(3): f();g()
    a=[];b=[]
    for r in range(20):
      if r%2: a.append(timeit.timeit(f,number=5)/5); b.append(timeit.timeit(g,number=5)/5)
      else: b.append(timeit.timeit(g,number=5)/5); a.append(timeit.timeit(f,number=5)/5)
    print(f"  K {K:2d} {np.dtype(dt).name:8s} new {np.median(a)*1e6:9.1f} us  old {np.median(b)*1e6:9.1f}  new/old speed {np.median(b)/np.median(a):5.2f}", flush=True)
