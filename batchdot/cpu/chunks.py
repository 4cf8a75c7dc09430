"""The engine's one parallel driver: the work items of any span, in chunks, on Numba's threads.

A Numba ``parallel=True`` function costs 1.5–2 CPU seconds to compile without a cache, and
one was compiled for every family and every dtype combination.  :func:`run_chunks` is
compiled once (and cached on disk) for all of them, in 0.36-0.38 CPU seconds (its timing is
LLVM code, :mod:`.clock`; ``asv_bench/records/2026-12-07-2130-driver-compile.txt``): it takes
the address of a C function ::

    void entry(int64 *ctx, int64 lo, int64 hi)

and an int64 array ``ctx``, and calls ``entry(ctx, lo, hi)`` for each chunk ``lo..hi`` of the
work items, in a ``prange`` loop (the shape of :mod:`.clock`, which measures the region's
gain for :mod:`.policy`).  ``ctx`` holds the data addresses of ``x``, ``y`` and ``out``, then
their shapes and strides (:func:`layout`).

:func:`chunk_entry` gives a span its C entry: a few LLVM instructions that rebuild the span's
arrays from ``ctx`` and call the span's compiled code through its stable symbol
(:func:`.jit.bind`).  It is built per process in milliseconds and never goes through Numba's
compiler pipeline: the span runs the very code that was compiled, cached and verified for it.

Per call, :class:`Chunked` passes the three data addresses (read by :func:`data_address`) and
a ``ctx`` of shapes and strides kept per layout, so a parallel call costs about a microsecond
of Python more than a call of a typed driver did.
"""

from __future__ import annotations

import threading

import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.core import cgutils

from .clock import ROW, cycles, gain, timed_chunk
from .jit import bind, general_signature, jit

__all__ = ["run_chunks", "compile_driver", "chunk_entry", "layout", "data_address", "Chunked"]

_I64 = ir.IntType(64)
_ENTRY_TYPE = ir.FunctionType(ir.VoidType(), [_I64.as_pointer(), _I64, _I64])


@jit(parallel=True)
def run_chunks(fn, layout, px, py, pout, total, nchunks, stats):
    """``total`` work items of the C entry at address ``fn`` in ``nchunks`` chunks, on arrays at
    data addresses ``px``, ``py``, ``pout`` with the shapes and strides in ``layout``; returns
    the region's measured gain (:func:`.clock.gain`) from ``stats``, zeros of ``(threads,
    clock.ROW)`` int64 the chunks are charged to."""
    ctx = layout.copy()
    ctx[0], ctx[1], ctx[2] = px, py, pout
    t0 = cycles()
    for c in prange(nchunks):
        timed_chunk(fn, ctx, total * c // nchunks, total * (c + 1) // nchunks, stats)
    return gain(stats, cycles() - t0, nchunks)


def layout(*arrays):
    """``ctx`` for a C entry without the data addresses: three zeros, then each array's shape
    and strides, as int64."""
    vals = [0] * len(arrays)
    for a in arrays:
        vals.extend(a.shape)
        vals.extend(a.strides)
    return np.array(vals, np.int64)


def _address_reader():
    """A function giving an ndarray's data address: ``__array_interface__`` costs about 3 us
    an array; on CPython the address is read from the array object itself (its ``data``
    field, whose offset is found here on a probe and checked), about 0.3 us."""

    def slow(a):
        return a.__array_interface__["data"][0]

    try:
        import ctypes
        import platform

        if platform.python_implementation() != "CPython":
            return slow
        read = ctypes.c_void_p.from_address
        probes = [np.arange(5.0)[2:], np.zeros((3, 4), np.int8)[1:, ::2]]
        for off in range(ctypes.sizeof(ctypes.c_void_p), 65, ctypes.sizeof(ctypes.c_void_p)):
            if all(read(id(p) + off).value == slow(p) for p in probes):
                return lambda a: read(id(a) + off).value
    except Exception:  # pragma: no cover - no ctypes
        pass
    return slow  # pragma: no cover


#: ``data_address(a)``: the address of ``a``'s first element.
data_address = _address_reader()


_ENTRIES = {}
_entries_lock = threading.Lock()


def chunk_entry(span, argtys):
    """The address of ``span``'s C entry for Numba argument types ``argtys``.

    ``argtys`` are ``(arrays..., zero, int64 lo, int64 hi)``; the entry calls
    ``span(arrays from ctx..., 0, lo, hi)`` (the accumulation zero is a constant of its type).
    Compiles (or loads) ``span`` for ``argtys`` first; built once per process.
    """
    argtys = tuple(argtys)
    with _entries_lock:
        got = _ENTRIES.get((span, argtys))
        if got is None:
            got = _ENTRIES[span, argtys] = _build_entry(bind(span, argtys), span.overloads[argtys].signature)
    return got[0]


def _build_entry(symbol, signature):
    """``(address, library)`` of a C entry calling the Numba function bound to ``symbol``."""
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.registry import cpu_target

    with global_compiler_lock:
        return _build_entry_locked(cpu_target.target_context, symbol, signature)


def _build_entry_locked(context, symbol, signature):
    lib = context.codegen().create_library("batchdot_chunks_" + symbol)
    mod = lib.create_ir_module("batchdot_chunks_" + symbol)
    fn = ir.Function(mod, _ENTRY_TYPE, "batchdot_entry_" + symbol)
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    ctx, lo, hi = fn.args
    rtype, atys = signature.return_type, signature.args

    def field(i):
        return builder.load(builder.gep(ctx, [ir.Constant(_I64, i)]))

    arrays = [ty for ty in atys[:-2] if isinstance(ty, types.Array)]
    values, slot = [], len(arrays)  # data addresses first, then shapes and strides
    for ty in atys[:-2]:
        if isinstance(ty, types.Array):
            ary = context.make_array(ty)(context, builder)
            n = ty.ndim
            context.populate_array(
                ary, data=builder.inttoptr(field(len(values)), ary.data.type),
                shape=cgutils.pack_array(builder, [field(slot + d) for d in range(n)]),
                strides=cgutils.pack_array(builder, [field(slot + n + d) for d in range(n)]),
                itemsize=context.get_constant(types.intp, context.get_abi_sizeof(context.get_data_type(ty.dtype))),
                meminfo=None)
            values.append(ary._getvalue())
            slot += 2 * n
        else:  # the accumulation zero
            values.append(context.get_constant_generic(builder, ty, ty.cast_python_value(0)))
    values += [lo, hi]
    callee = cgutils.get_or_insert_function(mod, context.call_conv.get_function_type(rtype, atys), symbol)
    context.call_conv.call_function(builder, callee, rtype, atys, values)
    builder.ret_void()
    lib.add_ir_module(mod)
    lib.finalize()
    return lib.get_pointer_to_function(fn.name), lib


class Chunked:
    """A span's parallel entry: ``entry(x, y, out, zero, nchunks, nthreads)`` -> gain.

    Same arguments and result as a typed parallel driver; ``count(out)`` gives the span's
    number of work items for an ``out`` of that shape.  ``like`` are arrays (and the zero) of
    the span's dtypes and ranks.
    """

    def __init__(self, span, like, count):
        self.address = chunk_entry(span, general_signature(tuple(like) + (0, 0)))
        self.count = count
        self.layouts = {}

    def __call__(self, x, y, out, zero, nchunks, nthreads):
        key = (x.shape, x.strides, y.shape, y.strides, out.strides, out.shape)
        got = self.layouts.get(key)
        if got is None:
            if len(self.layouts) > 64:
                self.layouts.clear()
            got = self.layouts[key] = (layout(x, y, out), self.count(out))
        return _RUN(self.address, got[0], data_address(x), data_address(y), data_address(out), got[1], nchunks,
                    np.zeros((nthreads, ROW), np.int64))


def compile_driver():
    """Compile (or load from Numba's cache) :func:`run_chunks`: one signature for everything."""
    global _RUN
    from .jit import compile_for

    if _RUN is _run:
        _RUN = compile_for(run_chunks, (0, layout(), 0, 0, 0, 0, 1, np.zeros((1, ROW), np.int64)))
    return _RUN


def _run(*args):
    """The first call: :func:`compile_driver`, then the call."""
    return compile_driver()(*args)


_RUN = _run
