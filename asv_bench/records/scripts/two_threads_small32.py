"""small32 (4000 products of 32 x 32) on one and on two Numba threads (numba.set_num_threads before each call, the policy deciding within that cap), into out= and into new memory, against np.matmul; medians of 25 interleaved rounds.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/two_threads_small32.py DTYPE B
"""
import sys, time, numba, numpy as np, batchdot
dt, B = np.dtype(sys.argv[1]), int(sys.argv[2])
x, y = np.random.rand(B, 32, 32).astype(dt), np.random.rand(B, 32, 32).astype(dt)
o = np.empty_like(x)
def bd(n, out):
    def f():
        numba.set_num_threads(n)
        if out: batchdot.batch_dot(x, y, out=o)
        else: batchdot.batch_dot(x, y)
    return f
fns = {"bd1_out": bd(1, True), "bd2_out": bd(2, True), "bd1_new": bd(1, False), "bd2_new": bd(2, False),
       "np_out": lambda: np.matmul(x, y, out=o), "np_new": lambda: np.matmul(x, y)}
for f in fns.values(): f(), f()
ts = {k: [] for k in fns}
for _ in range(25):
    for k, f in fns.items():
        t0 = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t0)
flops = 2 * B * 32 ** 3
print(dt, B, "  ".join(f"{k} {np.median(v)*1e3:.2f}ms {flops / np.median(v) / 1e9:.0f}GF" for k, v in ts.items()))
