"""The one place for JIT options, and how the engine's kernels are compiled.

- :data:`JIT_OPTIONS`: every kernel (``cache=True``: compiled once per machine, then loaded).
- :data:`REDUCE_FASTMATH`: ``reassoc`` only, so that LLVM may split a sum into vector lanes
  (the generic kernel).  No ``contract``: a fused multiply-add would hide an overflowing
  product (``inf - inf`` must stay NaN, as in NumPy), and no ``nnan``/``ninf``.
- :data:`PARALLEL_OPTIONS`: the parallel driver uses only Numba's ``prange`` transformation.
- :func:`compile_for`: the compiled entry point for arguments' types, optionally with one
  signature for every memory layout (:func:`general_signature`).
- :func:`symbol_call`: jitted code calling another compiled function through a symbol bound
  per process (:func:`bind`), not linked and compiled again into the caller (``batch_dot``
  inside ``@njit``); :mod:`.chunks` calls the kernels through the same symbols.

The vector kernels (:mod:`batchdot.cpu.vector`) spell their vectors out in LLVM IR, so no
kernel depends on LLVM's SLP vectoriser (which Numba keeps off after miscompilations).
"""

from __future__ import annotations

import logging
import time

from numba import config, njit, typeof, types

JIT_OPTIONS = dict(cache=True, nogil=True, error_model="numpy", boundscheck=False)
log = logging.getLogger("batchdot")

REDUCE_FASTMATH = frozenset({"reassoc"})

#: ``NUMBA_DISABLE_JIT=1`` (Numba's debugging switch): the kernels are plain Python functions;
#: the engine then runs the generic kernel, serially, in Python (the vector kernels and the
#: cycle counters are LLVM intrinsics and have no Python form).
DISABLED = bool(config.DISABLE_JIT)


#: Numba's parallel transformations the driver needs: only ``prange`` loops.  The others
#: (array-expression fusion, reductions, ...) find nothing in them and cost compile time
#: (tile_parallel: 5.7 -> 4.5 CPU seconds uncached, asv_bench/records/scripts/parallel_options_compile.py).
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


def compile_for(dispatcher, args, general=False, outputs=(2,)):
    """Compile (or load from Numba's cache) ``dispatcher`` for ``args``' types.

    Returns the compiled entry point: it skips Numba's type dispatch (about 0.2 us a call)
    and must only be called with arguments of exactly these Numba types, or, with
    ``general``, with arrays of the same dtypes and ranks in any layout
    (:func:`general_signature`).
    """
    if DISABLED:
        return dispatcher
    sig = general_signature(args, outputs) if general else tuple(typeof(a) for a in args)
    if sig in dispatcher.overloads:
        return dispatcher.overloads[sig].entry_point
    t0 = time.perf_counter()
    entry = dispatcher.compile(sig)
    seconds = time.perf_counter() - t0
    if seconds > 0.05:  # compiled, not loaded from Numba's on-disk cache
        log.info("compiled %s for (%s) in %.1f s; once per machine: later processes load it from Numba's cache",
                 dispatcher.py_func.__name__, ", ".join(map(str, sig[:3])), seconds)
    return entry


# --------------------------------------------------------------------------- calls by symbol

#: (dispatcher, argument types) -> the stable symbol bound to its compiled code in this process.
_BOUND = {}


def _symbol(dispatcher, argtys):
    """A symbol name for ``dispatcher`` compiled for ``argtys``, the same in every process."""
    import hashlib

    fn = dispatcher.py_func
    text = f"{fn.__module__}.{fn.__qualname__}{tuple(map(str, argtys))}"
    return "batchdot_kernel_" + hashlib.sha1(text.encode()).hexdigest()[:24]


def bind(dispatcher, argtys):
    """Compile (or load) ``dispatcher`` for ``argtys`` and bind its stable symbol to it.

    Returns the symbol (:func:`_symbol`): code that declares it and calls it with Numba's
    calling convention runs the compiled function, once this ran in the process.
    """
    from llvmlite import binding

    argtys = tuple(argtys)
    name = _BOUND.get((dispatcher, argtys))
    if name is None:
        if argtys not in dispatcher.overloads:
            dispatcher.compile(argtys)
        cres = dispatcher.overloads[argtys]
        name = _symbol(dispatcher, argtys)
        binding.add_symbol(name, cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name))
        _BOUND[dispatcher, argtys] = name
    return name


def _bind_on_load(module, qualname, argtys, *rest):
    """A cached caller's load hook: :func:`bind` again in this process, after ``check()``.

    ``rest`` is ``(restype, check)``, or ``(check,)`` in hooks recorded before the result type
    was.  Raises (the caller is then not loaded) when the callee is gone or now returns
    another type: a caller cached with another version of batchdot.
    """
    import importlib

    restype, check = rest if len(rest) == 2 else (None, rest[0])
    if check is not None:
        check()
    dispatcher = getattr(importlib.import_module(module), qualname, None)
    try:
        if dispatcher is not None:
            bind(dispatcher, argtys)
        ok = dispatcher is not None and restype in (None, dispatcher.overloads[argtys].signature.return_type)
    except Exception as e:  # the callee no longer compiles for the recorded argument types
        ok, cause = False, e
    else:
        cause = None
    if not ok:
        raise RuntimeError(
            f"batch_dot requires {module}.{qualname} as a cached @njit function calling it was compiled with, got "
            f"another version of batchdot: clear that function's Numba cache (its __pycache__ *.nbi/*.nbc files) "
            f"to recompile it"
        ) from cause


def symbol_call(dispatcher, check=None):
    """An intrinsic that calls ``dispatcher`` by symbol: same arguments, same result.

    Calling a Numba function from jitted code links its whole library into the caller, which
    optimises and generates that code again: about half of the compile time of a user's
    ``@njit`` function that calls ``batch_dot``.  This intrinsic instead compiles (or loads)
    ``dispatcher`` for the argument types, declares its stable symbol (:func:`bind`) and
    calls it; the caller's library records a load hook (Numba's ``reload_init``, run before a
    cached library is loaded) that binds the symbol in the new process first.  ``check`` (a
    picklable callable, or None) runs before each bind in a new process, e.g. the kernel's
    verification; it raises to refuse.  The callee runs the very code that was compiled (and
    verified) for it.
    """
    if DISABLED:  # plain Python functions (NUMBA_DISABLE_JIT=1)
        return dispatcher
    import functools

    from numba.core import cgutils
    from numba.extending import intrinsic

    fn = dispatcher.py_func

    @intrinsic
    def call(typingctx, *args):
        argtys = tuple(types.unliteral(t) for t in args)
        bind(dispatcher, argtys)  # compiled at typing time: its result type is needed
        restype = dispatcher.overloads[argtys].signature.return_type

        def codegen(context, builder, sig, packed):
            values = cgutils.unpack_tuple(builder, packed[0], len(argtys))
            name = bind(dispatcher, argtys)
            cres = dispatcher.overloads[argtys]
            rtype, atys = cres.signature.return_type, cres.signature.args
            fnty = context.call_conv.get_function_type(rtype, atys)
            callee = cgutils.get_or_insert_function(builder.module, fnty, name)
            status, result = context.call_conv.call_function(builder, callee, rtype, atys, values)
            with cgutils.if_unlikely(builder, status.is_error):
                context.call_conv.return_status_propagate(builder, status)
            context.active_code_library._reload_init.add(
                functools.partial(_bind_on_load, fn.__module__, fn.__qualname__, argtys, rtype, check))
            return result

        return restype(types.StarArgTuple.from_types(argtys)), codegen

    return call
