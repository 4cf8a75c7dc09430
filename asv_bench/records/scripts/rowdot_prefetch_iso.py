"""One thread: rowdot (200000, 64) row dots with software prefetch D rows ahead (locality 2 or 0) against none, rowdot_span, batch_dot and NumPy (an experiment, not kept).

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/rowdot_prefetch_iso.py float64|float32
"""
"""One thread: rowdot (B, K) row dots with and without software prefetch D rows ahead, against NumPy."""
import sys, time
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from batchdot.cpu.dots import _SINGLE
from batchdot.cpu.vector import _prefetch

def pf_for(locv):
  @intrinsic
  def pf(typingctx, a, off, nbytes):
    sig = types.void(a, off, nbytes)
    def codegen(context, builder, sig, args):
        arr = context.make_array(sig.args[0])(context, builder, args[0])
        base = builder.gep(builder.bitcast(arr.data, ir.IntType(8).as_pointer()), [args[1]])
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.globals.get("llvm.prefetch.p0") or ir.Function(builder.module, fnty, "llvm.prefetch.p0")
        with cgutils.for_range_slice(builder, ir.Constant(ir.IntType(64), 0), args[2], ir.Constant(ir.IntType(64), 64)) as (q, _):
            builder.call(fn, [builder.gep(base, [q]), ir.Constant(i32, 0), ir.Constant(i32, locv), ir.Constant(i32, 1)])
        return context.get_dummy_value()
    return sig, codegen
  return pf
PF = {3: pf_for(3), 2: pf_for(2), 0: pf_for(0)}

def make(D, loc):
    pf = PF[loc]
    @njit(fastmath=False, boundscheck=False)
    def run(x, y, out):
        B, K = x.shape
        xs0, ys0, os0, os1 = x.strides[0], y.strides[0], out.strides[0], out.strides[1]
        for b in range(B):
            if D > 0 and b + D < B:
                pf(x, (b + D) * xs0, xs0)
                pf(y, (b + D) * ys0, ys0)
            _SINGLE(x, b * xs0, y, b * ys0, 0, K, out, b * os0, os1)
    return run

dt = np.dtype(sys.argv[1]); B, K = 200000, 64
x = np.random.rand(B, K).astype(dt); y = np.random.rand(B, K).astype(dt); out = np.empty((B, 1), dt)
fs = {}
for D in (0, 2, 4, 6):
    for loc in ((2, 0) if D else (3,)):
        f = make(D, loc)
        f(x, y, out)
        fs[f"D={D} loc={loc}"] = (lambda f=f: f(x, y, out))
import batchdot
batchdot.batch_dot(x, y, 1); batchdot.batch_dot(x, y, 1)
fs["batch_dot"] = lambda: batchdot.batch_dot(x, y, 1)
from batchdot.cpu.dots import rowdot_span
fs["rowdot_span"] = lambda: rowdot_span(x, y, out, dt.type(0), 0, B)
fs["matmul"] = lambda: np.matmul(x[:, None, :], y[:, :, None])
fs["einsum"] = lambda: np.einsum("ij,ij->i", x, y)
ts = {k: [] for k in fs}
for r in range(21):
    for k, f in (fs.items() if r % 2 else reversed(fs.items())):
        t = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t)
for k, v in ts.items():
    m = np.median(v); print(f"{k:12s} {m*1e3:7.2f} ms {2*x.nbytes/m/1e9:5.1f} GB/s")
