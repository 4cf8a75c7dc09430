"""``batch_dot`` inside the user's own Numba code: the overload ``@njit`` functions call.

Numba loads this module through the ``numba_extensions`` entry point (``pyproject.toml``) the
first time it compiles anything, so ``batchdot.batch_dot`` is callable from ``@njit`` code
whether or not batchdot was imported first.  It imports Numba and NumPy only; the CPU engine
(:mod:`batchdot.cpu`) is imported when a call to ``batch_dot`` is first compiled.

The jitted call makes the Python API's decisions with the Python API's code:

- **compile time** (:func:`_typing`, plain Python): dtypes (:func:`batchdot._dtypes.resolve_dtypes`),
  ranks and literal axes (:func:`batchdot._plan.normalize_axes`), ``kernel=``
  (:func:`batchdot.cpu.choose.check_forced`), which families passed verification
  (:func:`batchdot.cpu.family_verified`).  What these reject is a ``TypingError`` carrying
  the Python API's message.
- **run time** (jitted): the axes, the canonical ``(B, M, K) x (B, K, N)`` views
  (:func:`batchdot._plan.merge_group`), the family (:func:`batchdot.cpu.choose.choose_code`) and the staging
  rule (:func:`batchdot.cpu.choose.needs_staging`), then that family's serial kernel — the
  very compiled kernel the Python API runs (:func:`_general_type` gives the arrays the types of
  :func:`batchdot.cpu.jit.general_signature`), so results are bit-identical.  It is called by
  symbol (:func:`batchdot.cpu.jit.symbol_call`), not linked into the caller, which would
  generate its code again in every caller (seconds per signature).
- **hand-overs to the Python API** (one object-mode call, a few microseconds): work of
  :data:`batchdot.cpu.policy.SERIAL_CUTOFF` multiply-adds or more, so that the parallel
  policy picks its threads — except on a worker thread of a Numba parallel region (the
  user's ``prange``), where the call runs serially in place; ``kernel='blas'``; operands
  with broadcast (stride-0) axes, which the Python API computes once; operands whose free
  axes cannot merge into one strided axis, which the Python API copies (compiling that
  rank-generic copy into every caller cost seconds per signature); an ``out``
  that overlaps an input or admits no ``(B, M, N)`` view; and every invalid call, so that
  the Python API raises its own message.
"""

from __future__ import annotations

import functools
import threading

import numba
import numpy as np
from numba import types
from numba.core.errors import TypingError
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.extending import intrinsic, overload, register_jitable

from ._api import batch_dot
from ._plan import merge_group

__all__ = ["init"]


def init():
    """Numba's entry point (``numba_extensions``): importing this module registered the overload."""

register_jitable(merge_group)


# --------------------------------------------------------------------------- hand-overs


def _python_axes(kind, a0, a1):
    return None if kind == 0 else (a0 if kind == 1 else (a0, a1))


def _python_call(x, y, kind, a0, a1, out, dtype, kernel):
    """The Python API on the jitted call's arguments; raises what the Python API raises.

    Serial when the jitted caller may run inside a parallel region of its own
    (:func:`batchdot.cpu.policy.in_foreign_region`): no nested regions, no oversubscription.
    """
    from .cpu.policy import jitted_caller

    with jitted_caller():
        batch_dot(x, y, _python_axes(kind, a0, a1), dtype=dtype or None, out=out, kernel=kernel or None)


def _python_reject(x, y, kind, a0, a1, out, dtype, kernel):
    """Raise the Python API's error for a call the jitted checks rejected."""
    if out is not None:  # the shape of out is what the jitted code could not match
        out = np.empty(out.shape, dtype or out.dtype)
    _python_call(x, y, kind, a0, a1, out, dtype, kernel)
    raise AssertionError(  # pragma: no cover - the two sets of checks disagree
        f"batch_dot inside @njit rejected shapes {x.shape} and {y.shape} with axes="
        f"{_python_axes(kind, a0, a1)!r}, which the Python API accepts"
    )


@numba.njit(cache=True)
def _to_python(x, y, ax, ay, out, dtype, kernel):
    with numba.objmode():
        _python_call(x, y, 2, ax, ay, out, dtype, kernel)


@numba.njit(cache=True)
def _reject(x, y, kind, a0, a1, dtype, kernel):
    with numba.objmode():
        _python_reject(x, y, kind, a0, a1, None, dtype, kernel)


@numba.njit(cache=True)
def _reject_out(x, y, kind, a0, a1, out, dtype, kernel):
    with numba.objmode():
        _python_reject(x, y, kind, a0, a1, out, dtype, kernel)


# --------------------------------------------------------------------------- jitted helpers


def _general_type(readonly):
    """An intrinsic: an array typed as :func:`batchdot.cpu.jit.general_signature` types it.

    Layout ``'A'``, unaligned, and read-only (inputs) or not (outputs).  The array's data
    model does not depend on layout, writeability or alignment, so the intrinsic returns the
    same value under another type: the kernel call then resolves to the compiled entry the
    Python API uses.
    """
    @intrinsic
    def general(typingctx, arr):
        rt = types.Array(arr.dtype, arr.ndim, "A", readonly=readonly, aligned=False)

        def codegen(context, builder, sig, args):
            context.nrt.incref(builder, sig.args[0], args[0])
            return args[0]

        return rt(arr), codegen

    return general


_general_in, _general_out = _general_type(True), _general_type(False)


@intrinsic
def _thread_id(typingctx):
    """``numba.get_thread_id()`` that also works in a user's function loaded from Numba's cache.

    Numba's own resolves the threading layer's ``get_thread_id`` symbol, which only exists
    once the layer is launched; a cached function calling it, loaded by a process that has
    not launched the layer, crashes.  This one launches it at compile time (as Numba's does)
    and registers the launch to run whenever code containing it is loaded from the cache, the
    way Numba does for its own parallel functions.
    """
    from llvmlite import ir
    from numba.core import cgutils
    from numba.core.typed_passes import _reload_parfors
    from numba.np.ufunc.parallel import _launch_threads

    _launch_threads()

    def codegen(context, builder, signature, args):
        context.active_code_library._reload_init.add(_reload_parfors)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(cgutils.intp_t, []), "get_thread_id")
        return builder.call(fn, [])

    return types.intp(), codegen


@register_jitable
def _extent(a):
    """``(lowest, highest + 1)`` byte address of ``a``'s elements (NumPy's bounds)."""
    lo = hi = a.ctypes.data
    for i in range(a.ndim):
        span = (a.shape[i] - 1) * a.strides[i]
        if span < 0:
            lo += span
        else:
            hi += span
    return lo, hi + a.itemsize


@register_jitable
def _may_share_memory(a, b):
    if a.size == 0 or b.size == 0:
        return False
    alo, ahi = _extent(a)
    blo, bhi = _extent(b)
    return alo < bhi and blo < ahi


def _pair_none(axes, xn, yn):
    return xn - 1, (yn - 1 if yn == 2 else yn - 2), 0


def _pair_int(axes, xn, yn):
    return axes, axes, 1


def _pair_tuple(axes, xn, yn):
    return axes[0], axes[1], 2


_PAIRS = {kind: register_jitable(fn) for kind, fn in ((0, _pair_none), (1, _pair_int), (2, _pair_tuple))}


# --------------------------------------------------------------------------- typing

#: Compile-time rejections handed from Numba's literal typing attempt to the non-literal one
#: that follows it (Numba retries a call with literals erased when the first attempt fails).
_rejected = threading.local()


class _Reject(Exception):
    """A call the Python API would reject, found at compile time."""


def _is_none(t):
    return t is None or isinstance(t, (types.NoneType, types.Omitted))


def _literal_axes(t):
    """The Python value of literal ``axes`` (an int or a tuple of ints), else ``None``."""
    if isinstance(t, types.IntegerLiteral):
        return t.literal_value
    if isinstance(t, types.BaseTuple) and all(isinstance(e, types.IntegerLiteral) for e in t):
        return tuple(e.literal_value for e in t)
    return None


def _axes_kind(t, xn, yn):
    """0 (None), 1 (an int) or 2 (a pair) for the Numba type of ``axes``; rejects the rest."""
    from ._plan import normalize_axes

    if _is_none(t):
        return 0
    value = _literal_axes(t)
    if value is not None:
        try:
            normalize_axes(value, xn, yn)
        except (TypeError, ValueError) as e:
            raise _Reject(str(e)) from None
    if isinstance(t, types.Integer) and not isinstance(t, types.Boolean):
        return 1
    if isinstance(t, types.BaseTuple):
        if len(t) != 2:
            raise _Reject(f"batch_dot requires exactly one axis per operand (a pair), got {len(t)} axes of types {t}")
        if all(isinstance(e, types.Integer) and not isinstance(e, types.Boolean) for e in t):
            return 2
    raise _Reject(f"batch_dot requires axes to be None, an int or a pair of ints, got {types.unliteral(t)}")


def _dtype_value(t):
    """The ``dtype=`` argument's value: None, or what ``np.dtype`` accepts."""
    if _is_none(t):
        return None
    if isinstance(t, types.StringLiteral):
        return t.literal_value
    if isinstance(t, types.DType):
        return np.dtype(str(t.dtype))
    if isinstance(t, types.NumberClass):
        return numba.np.numpy_support.as_dtype(t.instance_type)
    raise _Reject(f"batch_dot requires dtype= to be a NumPy dtype, a scalar type (np.float64) or a literal string "
                  f"inside @njit, got {types.unliteral(t)}")


def _verified(family, xd, yd, out_dt, acc_dt):
    """Raise unless the family's kernel for these dtypes passes verification in this process."""
    from . import cpu

    if not cpu.family_verified(family, xd, yd, out_dt, acc_dt):
        raise RuntimeError(
            f"batch_dot requires its {family} kernel for {out_dt} to pass verification, got a failure in this "
            f"process; a cached @njit function that calls batch_dot was compiled when it passed: clear the "
            f"function's Numba cache (its __pycache__ *.nbi/*.nbc files) to recompile it"
        )


@functools.cache
def _kernel_call(family, xd, yd, out_dt, acc_dt):
    """The intrinsic that calls the family's serial kernel for these dtypes by symbol."""
    from .cpu.jit import symbol_call
    from .cpu.kernels import family_kernels

    check = None if family == "generic" else functools.partial(_verified, family, xd, yd, out_dt, acc_dt)
    return symbol_call(family_kernels(family, out_dt)[0], check)


@functools.cache
def _register_engine_helpers():
    """The engine's integer decision functions, callable from jitted code (once)."""
    from .cpu import choose, tiles

    for fn in (choose.choose_code, choose.c_contiguous, choose.needs_staging, tiles.work_items):
        register_jitable(fn)


def _typing(x, y, axes, dtype, out, device, kernel):
    """The jitted implementation for these argument types, or :class:`_Reject`."""
    from . import cpu  # noqa: F401  (the engine registers its kernels' overloads)
    from ._dtypes import resolve_dtypes
    from .cpu import choose, policy
    from .cpu.choose import KERNELS, c_contiguous, choose_code, needs_staging

    _register_engine_helpers()

    for t, name in ((x, "x"), (y, "y")):
        if not isinstance(t, types.Array):
            raise _Reject(f"batch_dot requires NumPy arrays inside @njit, got {name} of type {t}")
    XN, YN = x.ndim, y.ndim
    if XN < 2 or YN < 2:
        raise _Reject(f"batch_dot requires inputs of rank >= 2 (a batch axis and at least one more), "
                      f"got ranks {XN} and {YN}")
    kind = _axes_kind(axes, XN, YN)
    xd, yd = (numba.np.numpy_support.as_dtype(t.dtype) for t in (x, y))
    try:
        out_dt, acc_dt = resolve_dtypes(xd, yd, _dtype_value(dtype))
    except TypeError as e:
        raise _Reject(str(e)) from None
    if not (_is_none(device) or (isinstance(device, types.StringLiteral) and device.literal_value == "cpu")):
        raise _Reject(f"batch_dot requires device to be None or 'cpu' inside @njit, got {device}")
    forced = None
    if not _is_none(kernel):
        if not isinstance(kernel, types.StringLiteral):
            raise _Reject(f"batch_dot requires kernel to be a literal string inside @njit, got {kernel}")
        forced = kernel.literal_value
    R = XN + YN - 3
    RS = max(R, 2)
    RANK2 = XN == 2 and YN == 2
    if forced is not None:
        try:
            choose.check_forced(forced, xd, yd, out_dt, acc_dt, RANK2)
        except (TypeError, ValueError) as e:
            raise _Reject(str(e)) from None
        forced = "rowdot" if forced == "dot" and RANK2 else forced
    has_out = not _is_none(out)
    if has_out:
        if not isinstance(out, types.Array):
            raise _Reject(f"batch_dot requires out to be a numpy.ndarray, got {out}")
        if out.ndim != RS:
            raise _Reject(f"batch_dot requires out of rank {RS}, got out of rank {out.ndim}")
        if numba.np.numpy_support.as_dtype(out.dtype) != out_dt:
            raise _Reject(f"batch_dot requires out of dtype {out_dt}, got out of dtype {out.dtype}")
        if not out.mutable:
            raise _Reject("batch_dot requires a writeable out, got a read-only array")

    CLS = choose.dtype_class(xd, yd, out_dt, acc_dt)
    XI, YI = xd.itemsize, yd.itemsize
    L2, CUTOFF = choose.l2_bytes(), policy.SERIAL_CUTOFF
    FORCED = -1 if forced is None else KERNELS.index(forced)
    TO_PYTHON = forced == "blas"
    # families usable on these dtypes (the others fall back to generic, as in prepare())
    usable = {f: cpu.family_verified(f, xd, yd, out_dt, acc_dt) for f in ("tile", "dot", "rowdot")
              if (f == "tile" and CLS >= choose.TILE_ONLY) or (f != "tile" and CLS >= choose.REAL
                                                                and (f != "rowdot" or RANK2))}
    TILE_V, DOT_V, ROWDOT_V = (usable.get(f, False) for f in ("tile", "dot", "rowdot"))
    OUT_T, ACC_T = out_dt.type, acc_dt.type
    OUT_NAME = "" if _is_none(dtype) else out_dt.name
    KERNEL_NAME = forced or ""
    SHAPE0, XORDER0, YORDER0, IDENT = (0,) * RS, (0,) * XN, (0,) * YN, tuple(range(RS))
    JX = XN - 1  # the result's axes [1, JX) come from x, [JX, RS) from y
    GENERIC, DOT, ROWDOT, TILE = choose.GENERIC, choose.DOT, choose.ROWDOT, choose.TILE
    pair = _PAIRS[kind]
    from .cpu.tiles import work_items as tile_items
    # the kernels, called by symbol (not linked into the caller: see cpu.jit.symbol_call)
    dot_span, rowdot_span, tile_span, generic_span = (_kernel_call(f, xd, yd, out_dt, acc_dt)
                                                      for f in ("dot", "rowdot", "tile", "generic"))
    as_strided = np.lib.stride_tricks.as_strided

    def impl(x, y, axes=None, dtype=None, out=None, device=None, kernel=None):
        a0, a1, kind = pair(axes, XN, YN)
        ax = a0 + XN if a0 < 0 else a0
        ay = a1 + YN if a1 < 0 else a1
        if not (0 < ax < XN and 0 < ay < YN):
            _reject(x, y, kind, a0, a1, OUT_NAME, KERNEL_NAME)
        B, K = x.shape[0], x.shape[ax]
        if y.shape[0] != B or y.shape[ay] != K:
            _reject(x, y, kind, a0, a1, OUT_NAME, KERNEL_NAME)
        # the result's shape; x's axes as (batch, free..., contracted), y's as (batch,
        # contracted, free...)
        shape = tuple_setitem(SHAPE0, 0, B)
        xorder = tuple_setitem(XORDER0, XN - 1, ax)
        yorder = tuple_setitem(YORDER0, 1, ay)
        j = 1
        # broadcast (stride-0) axes: the Python API computes them once (cpu._broadcast_axes)
        broadcast = B > 1 and x.strides[0] == 0 and y.strides[0] == 0
        for a in range(1, XN):
            if a != ax:
                shape = tuple_setitem(shape, j, x.shape[a])
                xorder = tuple_setitem(xorder, j, a)
                broadcast |= x.shape[a] > 1 and x.strides[a] == 0
                j += 1
        for a in range(1, YN):
            if a != ay:
                shape = tuple_setitem(shape, j, y.shape[a])
                yorder = tuple_setitem(yorder, j - JX + 2, a)
                broadcast |= y.shape[a] > 1 and y.strides[a] == 0
                j += 1
        if R == 1:
            shape = tuple_setitem(shape, 1, 1)
        if has_out:
            if out.shape != shape:
                _reject_out(x, y, kind, a0, a1, out, OUT_NAME, KERNEL_NAME)
            res = out
        else:
            res = np.empty(shape, OUT_T)
        if res.size == 0:
            return res
        if K == 0:
            res[...] = 0
            return res
        M, xms, x_merges = merge_group(x.shape, x.strides, xorder, 1, XN - 1)
        N, yns, y_merges = merge_group(y.shape, y.strides, yorder, 2, YN)
        # operands whose free axes cannot merge into one strided axis are copied (as _plan
        # does) by the Python API: a rank-generic transposed copy here would cost seconds of
        # compilation for every new signature of the caller
        if TO_PYTHON or broadcast or not (x_merges and y_merges) or (B * M * N * K >= CUTOFF and _thread_id() == 0):
            _to_python(x, y, ax, ay, res, OUT_NAME, KERNEL_NAME)
            return res
        if has_out:
            _, oms, om = merge_group(res.shape, res.strides, IDENT, 1, JX)
            _, ons, on = merge_group(res.shape, res.strides, IDENT, JX, RS)
            if not (om and on) or _may_share_memory(res, x) or _may_share_memory(res, y):
                _to_python(x, y, ax, ay, res, OUT_NAME, KERNEL_NAME)
                return res
            out3 = as_strided(res, (B, M, N), (res.strides[0], oms, ons))
        else:
            out3 = res.reshape((B, M, N))
        zero = ACC_T(0)
        # the canonical views
        x3 = as_strided(x, (B, M, K), (x.strides[0], xms, x.strides[ax]))
        y3 = as_strided(y, (B, K, N), (y.strides[0], y.strides[ay], yns))
        fam = FORCED
        if fam < 0:
            fam = choose_code(CLS, XI, YI, M, N, K, x3.strides[2], y3.strides[1],
                              c_contiguous(y3.shape, y3.strides, YI), RANK2, L2)
        if fam == ROWDOT and ROWDOT_V:  # rank-2 operands as they are, out (B, 1)
            sx, sy = needs_staging(ROWDOT, K, x.strides[1], XI, K, y.strides[1], YI)
            xs = np.ascontiguousarray(x) if sx else x
            ys = np.ascontiguousarray(y) if sy else y
            rowdot_span(_general_in(xs), _general_in(ys), _general_out(res), zero, 0, B)
        elif fam == DOT and DOT_V:  # y as (B, N, K)
            yk = as_strided(y, (B, N, K), (y.strides[0], yns, y.strides[ay]))
            sx, sy = needs_staging(DOT, K, x3.strides[2], XI, K, yk.strides[2], YI)
            xs = np.ascontiguousarray(x3) if sx else x3
            ys = np.ascontiguousarray(yk) if sy else yk
            dot_span(_general_in(xs), _general_in(ys), _general_out(out3), zero, 0, B * M)
        elif fam == TILE and TILE_V:
            sx, sy = needs_staging(TILE, K, x3.strides[2], XI, N, y3.strides[2], YI)
            ys = np.ascontiguousarray(y3) if sy else y3
            tile_span(_general_in(x3), _general_in(ys), _general_out(out3), zero, 0, tile_items(B, M))
        else:
            generic_span(_general_in(x3), _general_in(y3), _general_out(out3), zero, 0, B * M * N)
        return res

    return impl


@overload(batch_dot, prefer_literal=True)
def _batch_dot_overload(x, y, axes=None, dtype=None, out=None, device=None, kernel=None):
    args = (x, y, axes, dtype, out, device, kernel)
    literal = any(isinstance(t, types.Literal) or (isinstance(t, types.BaseTuple)
                                                     and any(isinstance(e, types.Literal) for e in t))
                  for t in args)
    key = tuple(None if t is None else types.unliteral(t) for t in args)
    if literal:
        _rejected.last = None
    elif getattr(_rejected, "last", None) is not None and _rejected.last[0] == key:
        raise TypingError(_rejected.last[1])
    try:
        return _typing(*args)
    except _Reject as e:
        if literal:
            _rejected.last = (key, str(e))
            _forget_implementations(x, y)
        raise TypingError(str(e)) from None


def _forget_implementations(x, y):
    """Drop Numba's cached implementations of calls on operands of these types.

    After a literal call fails, Numba retries it with the literals erased, and would find the
    implementation cached for a valid call of those types (runtime axes) instead of asking
    :func:`_batch_dot_overload` again, which rejects it.  The cache is refilled on the next
    valid call.  (Numba internals: without them, such calls fail at run time instead, with
    the same message.)
    """
    from numba.core.typing.templates import builtin_registry

    for fn, fnty in builtin_registry.globals:
        if fn is batch_dot:
            for template in getattr(fnty, "templates", ()):
                cache = getattr(template, "_impl_cache", None)
                if isinstance(cache, dict):
                    for k in [k for k in cache if len(k) > 1 and tuple(k[1][:2]) == (x, y)]:
                        del cache[k]
