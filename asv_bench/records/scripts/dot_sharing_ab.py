import numpy as np, time, sys
from numba import prange
from batchdot.cpu.jit import jit, compile_for
from batchdot.cpu.vector import dot_kernel
from batchdot.bench.cpu import _median_interleaved
D1 = dot_kernel(1); D2 = dot_kernel(2); D4 = dot_kernel(4)
@jit(fastmath=frozenset())
def span1(x, yt, out, lo, hi):
    M, K, N = x.shape[1], x.shape[2], yt.shape[1]
    for r in range(lo, hi):
        b = r // M; i = r % M
        xo = b * x.strides[0] + i * x.strides[1]; yo = b * yt.strides[0]; oo = b * out.strides[0] + i * out.strides[1]
        for j in range(N):
            D1(x, xo, yt, yo + j * yt.strides[1], yt.strides[1], K, out, oo + j * out.strides[2], out.strides[2])
@jit(fastmath=frozenset())
def span2(x, yt, out, lo, hi):
    M, K, N = x.shape[1], x.shape[2], yt.shape[1]
    for r in range(lo, hi):
        b = r // M; i = r % M
        xo = b * x.strides[0] + i * x.strides[1]; yo = b * yt.strides[0]; oo = b * out.strides[0] + i * out.strides[1]
        j = 0
        while j + 2 <= N:
            D2(x, xo, yt, yo + j * yt.strides[1], yt.strides[1], K, out, oo + j * out.strides[2], out.strides[2]); j += 2
@jit(fastmath=frozenset())
def span4(x, yt, out, lo, hi):
    M, K, N = x.shape[1], x.shape[2], yt.shape[1]
    for r in range(lo, hi):
        b = r // M; i = r % M
        xo = b * x.strides[0] + i * x.strides[1]; yo = b * yt.strides[0]; oo = b * out.strides[0] + i * out.strides[1]
        j = 0
        while j + 4 <= N:
            D4(x, xo, yt, yo + j * yt.strides[1], yt.strides[1], K, out, oo + j * out.strides[2], out.strides[2]); j += 4
rng=np.random.default_rng(0)
for dt in (np.float32, np.float64):
    x=rng.standard_normal((10000,1,64)).astype(dt); y=rng.standard_normal((10000,32,64)).astype(dt); o=np.empty((10000,1,32),dt)
    fs=[compile_for(s,(x,y,o,0,1),general=True) for s in (span1,span2,span4)]
    calls=[(lambda f=f: f(x,y,o,0,10000)) for f in fs] + [lambda: np.einsum("bk,bnk->bn",x[:,0],y,optimize=True)]
    ts=_median_interleaved(calls, 9, 3.0, warm=0.02)
    print(np.dtype(dt).name, "dot1 %.2f dot2 %.2f dot4 %.2f einsum %.2f ms" % tuple(t*1e3 for t in ts))
