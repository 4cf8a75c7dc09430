"""The one place for JIT options, and how kernels that want LLVM's SLP vectoriser get built.

- :data:`JIT_OPTIONS`: every kernel (``cache=True``: compiled once per machine, then loaded).
- :data:`REDUCE_FASTMATH`: loops whose sum may be reassociated so that the loop vectoriser
  can split it into vector lanes (the generic kernel).
- :data:`TILE_FASTMATH`: the generated register-tile and dot kernels.  No reassociation:
  their lanes are explicit in the source, so their summation order is fixed and
  deterministic; ``contract`` still fuses multiply-adds.  Without ``reassoc`` the loop
  vectoriser also leaves their long K loops alone (with it, it vectorises the reduction
  over K with gathers and spills every accumulator).
- NaN and Inf keep their IEEE meaning everywhere (no ``nnan``/``ninf``).

The SLP vectoriser is off by default in Numba (numba PR #8852, after miscompilations
numba#8705/#8681).  The generated kernels need it to turn their scalar accumulators into
vector registers, so :func:`compile_for` switches it on *only while compiling them*,
holding Numba's global compiler lock so that no other compilation (a user's) sees it; every
kernel so built is checked against the reference before first use (``_dispatch``).
"""

from __future__ import annotations

import logging
import time

from numba import njit, typeof
from numba.core import config
from numba.core.compiler_lock import global_compiler_lock

JIT_OPTIONS = dict(cache=True, nogil=True, error_model="numpy", boundscheck=False)
log = logging.getLogger("batchdot")

REDUCE_FASTMATH = frozenset({"reassoc", "contract"})
TILE_FASTMATH = frozenset({"contract"})


#: Numba's parallel transformations the drivers need: only ``prange`` loops.  The others
#: (array-expression fusion, reductions, ...) find nothing in them and cost compile time
#: (tile_parallel: 5.7 -> 4.5 CPU seconds uncached, /tmp measurement on this VM).
PARALLEL_OPTIONS = dict(prange=True, fusion=False, comprehension=False, setitem=False, reduction=False,
                        inplace_binop=False, numpy=False, stencil=False)


def jit(fn=None, *, parallel=False, fastmath=REDUCE_FASTMATH, **extra):
    """``numba.njit`` with :data:`JIT_OPTIONS`, ``parallel`` (:data:`PARALLEL_OPTIONS`) and ``fastmath``."""
    opts = dict(JIT_OPTIONS, parallel=PARALLEL_OPTIONS if parallel else False, fastmath=set(fastmath), **extra)
    if fn is None:
        return lambda f: njit(**opts)(f)
    return njit(**opts)(fn)


def general_signature(args, outputs=(2,)):
    """Numba types for ``args`` with every array as ``'A'`` layout and unaligned.

    Arrays at ``outputs`` positions stay writeable, the others are typed read-only: one
    compiled kernel then serves every memory layout, writeability and alignment of the same
    dtypes and ranks (strides are runtime values).
    """
    from numba import types

    sig = []
    for i, a in enumerate(args):
        t = typeof(a)
        if isinstance(t, types.Array):
            t = types.Array(t.dtype, t.ndim, "A", readonly=i not in outputs, aligned=False)
        sig.append(t)
    return tuple(sig)


def compile_for(dispatcher, args, slp=False, general=False, outputs=(2,)):
    """Compile (or load from cache) ``dispatcher`` for ``args``' types; SLP on if ``slp``.

    Returns the compiled entry point: it skips Numba's type dispatch (about 0.2 us a call)
    and must only be called with arguments of exactly these Numba types, or, with
    ``general``, with arrays of the same dtypes and ranks in any layout
    (:func:`general_signature`).
    """
    sig = general_signature(args, outputs) if general else tuple(typeof(a) for a in args)
    if sig in dispatcher.overloads:
        return dispatcher.overloads[sig].entry_point
    t0 = time.perf_counter()
    if not slp:
        entry = dispatcher.compile(sig)
    else:
        with global_compiler_lock:
            old = config.SLP_VECTORIZE
            config.SLP_VECTORIZE = 1
            try:
                entry = dispatcher.compile(sig)
            finally:
                config.SLP_VECTORIZE = old
    seconds = time.perf_counter() - t0
    if seconds > 0.05:  # compiled, not loaded from Numba's on-disk cache
        log.info("compiled %s for (%s) in %.1f s; once per machine: later processes load it from Numba's cache",
                 dispatcher.py_func.__name__, ", ".join(map(str, sig[:3])), seconds)
    return entry
