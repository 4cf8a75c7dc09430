"""What a parallel region measures about itself: per-thread busy time in CPU cycles.

The engine's parallel driver (:func:`.chunks.run_chunks`) has this shape::

    stats = region_stats(nthreads)
    t0 = cycles()
    for c in prange(nchunks):
        s = cycles()
        span(..., lo(c), hi(c))
        chunk_done(stats, s)
    return gain(stats, cycles() - t0, nchunks)

``gain`` is the region's measured speed-up over one thread: the time the *fastest* thread
took per chunk, times all chunks (what one thread on a free core would have needed), over
the region's wall time.  A worker that waits for a core held by another process, or by
NumPy's spinning BLAS threads, starts late or runs slowly and the gain falls below 1;
:mod:`batchdot.cpu.policy` then runs the next calls on one thread.  The cost is two cycle
counter reads and two stores per chunk.

``region_stats`` and ``gain`` are ordinary compiled functions (quicker to compile than
inlined ones); ``chunk_done`` is inlined into the parallel region, because a separately cached
function calling ``get_thread_id`` would be loaded before Numba's threading layer provides
that symbol (LLVM aborts the process).  The counter is the x86 time-stamp counter (``rdtsc``, constant rate on every CPU this runs on)
or the AArch64 virtual counter; elsewhere ``cycles()`` is 0 and ``gain`` returns -1
("no measurement"), which the policy ignores.
"""

from __future__ import annotations

import platform

import numpy as np
from llvmlite import ir
from numba import get_thread_id, types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import jit

__all__ = ["cycles", "region_stats", "chunk_done", "gain"]

_ARCH = platform.machine().lower()
#: Row stride of the per-thread statistics, in int64: one 64-byte cache line per thread.
_ROW = 8


@intrinsic
def cycles(typingctx):
    """The CPU's cycle counter (int64); 0 where there is no user-readable one."""

    def codegen(context, builder, sig, args):
        i64 = ir.IntType(64)
        if _ARCH in ("x86_64", "amd64", "i686", "x86"):
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i64, []), "llvm.readcyclecounter")
            return builder.call(fn, [])
        if _ARCH in ("aarch64", "arm64"):
            asm = ir.InlineAsm(ir.FunctionType(i64, []), "mrs $0, cntvct_el0", "=r", side_effect=True)
            return builder.call(asm, [])
        return ir.Constant(i64, 0)

    return types.int64(), codegen


@jit
def region_stats(nthreads):
    """Zeroed statistics for a region of ``nthreads`` threads: busy cycles and chunks each."""
    return np.zeros((nthreads, _ROW), np.int64)


@jit(inline="always")
def chunk_done(stats, start):
    """Charge the cycles since ``start`` and one chunk to the calling thread's row."""
    t = get_thread_id()
    if t < stats.shape[0]:
        stats[t, 0] += cycles() - start
        stats[t, 1] += 1


@jit
def gain(stats, wall, nchunks):
    """Measured speed-up of the region over one thread (see the module docstring); -1 if unknown."""
    best = -1.0
    for t in range(stats.shape[0]):
        if stats[t, 1] > 0:
            per_chunk = stats[t, 0] / stats[t, 1]
            if best < 0.0 or per_chunk < best:
                best = per_chunk
    if wall <= 0 or best <= 0.0:
        return -1.0
    return best * nchunks / wall
