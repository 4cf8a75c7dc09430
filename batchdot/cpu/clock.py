"""What a parallel region measures about itself: per-thread busy time in CPU cycles.

The engine's parallel driver (:func:`.chunks.run_chunks`) has this shape::

    t0 = cycles()
    for c in prange(nchunks):
        timed_chunk(entry, ctx, lo(c), hi(c), stats)  # the span's chunk, its cycles charged
    return gain(stats, cycles() - t0, nchunks)

``gain`` is the region's measured speed-up over one thread: the time the *fastest* thread
took per chunk, times all chunks (what one thread on a free core would have needed), over
the region's wall time.  A worker that waits for a core held by another process, or by
NumPy's spinning BLAS threads, starts late or runs slowly and the gain falls below 1;
:mod:`batchdot.cpu.policy` then runs the next calls on one thread.  The cost is two cycle
counter reads and two stores per chunk.  ``stats`` (``(threads, ROW)`` int64, zeros) comes
from the caller.

All three are intrinsics: LLVM code in the driver, so that compiling the driver compiles no
other function (as Numba functions, with ``np.zeros`` in the driver, they were five more
compilations, and the driver took 0.70-0.75 CPU seconds to compile against 0.36-0.38 now,
``asv_bench/records/2026-12-07-2130-driver-compile.txt``),
and ``timed_chunk``'s call of the threading layer's ``get_thread_id`` is compiled into the
parallel region itself (a separately cached function calling it would be loaded before
Numba's threading layer provides that symbol: LLVM aborts the process).  The counter is the
x86 time-stamp counter (``rdtsc``, constant rate on every CPU this runs on) or the AArch64
virtual counter; elsewhere ``cycles()`` is 0 and ``gain`` returns -1 ("no measurement"),
which the policy ignores.
"""

from __future__ import annotations

import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["cycles", "timed_chunk", "gain", "ROW"]

_ARCH = platform.machine().lower()
#: Row stride of the per-thread statistics, in int64: one 64-byte cache line per thread.
ROW = 8


def _counter(builder):
    """The cycle counter read at the builder's position (i64; 0 where there is none)."""
    i64 = ir.IntType(64)
    if _ARCH in ("x86_64", "amd64", "i686", "x86"):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i64, []), "llvm.readcyclecounter")
        return builder.call(fn, [])
    if _ARCH in ("aarch64", "arm64"):
        asm = ir.InlineAsm(ir.FunctionType(i64, []), "mrs $0, cntvct_el0", "=r", side_effect=True)
        return builder.call(asm, [])
    return ir.Constant(i64, 0)


def _cells(context, builder, ty, stats, t):
    """``(cycles, chunks, rows)``: pointers to row ``t``'s first two cells of the statistics
    array ``stats`` (of Numba type ``ty``, any strides) and its number of rows."""
    table = context.make_array(ty)(context, builder, stats)
    rows = cgutils.unpack_tuple(builder, table.shape, 2)[0]
    s0, s1 = cgutils.unpack_tuple(builder, table.strides, 2)
    base = builder.gep(builder.bitcast(table.data, ir.IntType(8).as_pointer()), [builder.mul(t, s0)])
    cell = ir.IntType(64).as_pointer()
    return builder.bitcast(base, cell), builder.bitcast(builder.gep(base, [s1]), cell), rows


@intrinsic
def cycles(typingctx):
    """The CPU's cycle counter (int64); 0 where there is no user-readable one."""

    def codegen(context, builder, sig, args):
        return _counter(builder)

    return types.int64(), codegen


@intrinsic
def timed_chunk(typingctx, fn, ctx, lo, hi, stats):
    """``fn(ctx.data, lo, hi)`` (``fn``: the address of a C entry ``void (int64 *ctx, int64 lo,
    int64 hi)``), then its cycles and one chunk charged to the calling thread's row of
    ``stats`` (``(threads, ROW)`` int64; a thread id past its rows is not charged)."""
    if not (isinstance(stats, types.Array) and stats.ndim == 2 and stats.dtype == types.int64):
        return None
    from numba.np.ufunc.parallel import _launch_threads

    _launch_threads()  # the layer provides ``get_thread_id`` (as Numba's own overload of it does first)
    sig = types.void(fn, ctx, lo, hi, stats)

    def codegen(context, builder, sig, args):
        fn, ctx, lo, hi, stats = args
        i64 = ir.IntType(64)
        start = _counter(builder)
        data = context.make_array(sig.args[1])(context, builder, ctx).data
        entry = ir.FunctionType(ir.VoidType(), [i64.as_pointer(), i64, i64])
        builder.call(builder.inttoptr(fn, entry.as_pointer()), [builder.bitcast(data, i64.as_pointer()), lo, hi])
        spent = builder.sub(_counter(builder), start)
        # the threading layer's thread id, declared as Numba declares it (intp)
        tid = builder.call(cgutils.get_or_insert_function(builder.module, ir.FunctionType(i64, []), "get_thread_id"), [])
        row, count, rows = _cells(context, builder, sig.args[4], stats, tid)
        with builder.if_then(builder.icmp_unsigned("<", tid, rows)):
            builder.store(builder.add(builder.load(row), spent), row)
            builder.store(builder.add(builder.load(count), ir.Constant(i64, 1)), count)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def gain(typingctx, stats, wall, nchunks):
    """The region's measured speed-up over one thread (see the module docstring) from its
    ``stats`` (:func:`timed_chunk`), ``wall`` cycles and ``nchunks`` chunks; -1.0 where
    unknown (no cycle counter, or no chunk charged)."""
    if not (isinstance(stats, types.Array) and stats.ndim == 2 and stats.dtype == types.int64):
        return None
    sig = types.float64(stats, wall, nchunks)

    def codegen(context, builder, sig, args):
        stats, wall, nchunks = args
        i64, f64 = ir.IntType(64), ir.DoubleType()
        wall, nchunks = (context.cast(builder, v, t, types.int64) for v, t in zip((wall, nchunks), sig.args[1:]))
        rows = _cells(context, builder, sig.args[0], stats, ir.Constant(i64, 0))[2]
        best = cgutils.alloca_once_value(builder, ir.Constant(f64, -1.0))  # the fastest thread's cycles a chunk
        with cgutils.for_range(builder, rows) as loop:
            row, count, _ = _cells(context, builder, sig.args[0], stats, loop.index)
            count = builder.load(count)
            with builder.if_then(builder.icmp_signed(">", count, ir.Constant(i64, 0))):
                per = builder.fdiv(builder.sitofp(builder.load(row), f64), builder.sitofp(count, f64))
                old = builder.load(best)
                take = builder.or_(builder.fcmp_ordered("<", old, ir.Constant(f64, 0.0)), builder.fcmp_ordered("<", per, old))
                builder.store(builder.select(take, per, old), best)
        best = builder.load(best)
        unknown = builder.or_(builder.icmp_signed("<=", wall, ir.Constant(i64, 0)),
                              builder.fcmp_ordered("<=", best, ir.Constant(f64, 0.0)))
        ratio = builder.fdiv(builder.fmul(best, builder.sitofp(nchunks, f64)), builder.sitofp(wall, f64))
        return builder.select(unknown, ir.Constant(f64, -1.0), ratio)

    return sig, codegen
