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
- **run time** (jitted): the caller's own compiled part is only the axes' kind and one call
  of the engine's shared, cached jitted entry (:mod:`batchdot.cpu.njit_entry`), by symbol:
  the result's shape, the canonical ``(B, M, K) x (B, K, N)`` views, the family
  (:func:`batchdot.cpu.choose.choose_code`), the staging rule, then that family's serial
  kernel — the very compiled kernel the Python API runs (:func:`_general_type` gives the
  arrays the types of :func:`batchdot.cpu.jit.general_signature`), so results are
  bit-identical.  A new signature of the caller compiles in a fraction of a second.
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

import threading

import numba
import numpy as np
from numba import types
from numba.core.errors import TypingError
from numba.extending import intrinsic, overload, register_jitable

from ._api import batch_dot

__all__ = ["init"]


def init():
    """Numba's entry point (``numba_extensions``): importing this module registered the overload."""


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


def _typing(x, y, axes, dtype, out, device, kernel):
    """The jitted implementation for these argument types, or :class:`_Reject`."""
    from . import cpu  # noqa: F401  (the engine registers its kernels' overloads)
    from ._dtypes import resolve_dtypes
    from .cpu import choose, policy
    from .cpu.choose import KERNELS
    from .cpu.njit_entry import engine_call, has_family

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
    FORCED = -1 if forced is None else KERNELS.index(forced)
    # families usable on these dtypes (the others fall back to generic, as in prepare())
    usable = {f: cpu.family_verified(f, xd, yd, out_dt, acc_dt) for f in ("tile", "dot", "rowdot")
              if has_family(f, CLS, RANK2)}
    if usable.get("tile"):  # and the tiles' narrow span, which the engine runs too
        usable["tile"] = cpu.family_verified("tile", xd, yd, out_dt, acc_dt, "narrow")
    # everything the shared engine function needs that its argument types do not say
    consts = (CLS, FORCED, forced == "blas", *(usable.get(f, False) for f in ("tile", "dot", "rowdot")),
              choose.l2_bytes(), policy.SERIAL_CUTOFF, "" if _is_none(dtype) else out_dt.name, forced or "")
    templates = ((0,) * RS, (0,) * XN, (0,) * YN, tuple(range(RS)))
    OUT_T, ACC_T = out_dt.type, acc_dt.type
    pair = _PAIRS[kind]
    engine = engine_call()

    if has_out:
        def impl(x, y, axes=None, dtype=None, out=None, device=None, kernel=None):
            a0, a1, kind = pair(axes, XN, YN)
            engine(_general_in(x), _general_in(y), a0, a1, kind, _general_out(out), OUT_T, ACC_T(0), templates,
                   consts)
            return out
    else:
        def impl(x, y, axes=None, dtype=None, out=None, device=None, kernel=None):
            a0, a1, kind = pair(axes, XN, YN)
            return engine(_general_in(x), _general_in(y), a0, a1, kind, None, OUT_T, ACC_T(0), templates, consts)

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
