"""The CPU engine's entry for ``batch_dot`` inside a user's ``@njit`` code.

:mod:`batchdot._overload` types a call (plain Python, at the caller's compile time) and
compiles a thin implementation into the caller: the axes' kind, then one call of
:func:`_engine` through :func:`engine_call`.  :func:`_engine` does the run-time work — the
result's shape, the canonical ``(B, M, K) x (B, K, N)`` views, the family
(:func:`.choose.choose_code`) and the staging rule (:func:`.choose.needs_staging`), the
hand-overs to the Python API — and calls the family's serial kernel, the very compiled and
verified kernel the Python API runs (so results are bit-identical).  Of the families' other
spans (:data:`.kernels.VARIANTS`) the tiles' narrow one runs here too; the dots' short rows
and the tiles' sweeps and few-row tiles are the Python API's only: here the first span
computes those products, to the same bits (the same sums in the same order), without their
shapes' speed-ups.

Compile cost: :func:`_engine` is compiled once per dtypes, ranks and ``out`` or not (every
layout: its arrays are typed as :func:`.jit.general_signature` types them) and cached on
disk; callers and the engine call each other by symbol (:func:`.jit.symbol_call`), so a
caller's new signature compiles only its thin part (0.3-0.5 CPU s on the development VM
against 4-6.5 s when the whole implementation and the kernels were compiled into every
caller: ``asv_bench/records/2026-12-02-0345-njit-engine.txt``).
"""

from __future__ import annotations

import functools

import numba
import numpy as np
from numba import types
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.extending import intrinsic, overload, register_jitable

from .._overload import _general_in, _general_out, _reject, _reject_out, _to_python
from .._plan import merge_group
from . import choose, tiles
from .vector import VECTOR_BYTES
from .jit import symbol_call
from .kernels import family_kernels

__all__ = ["engine_call", "has_family"]

as_strided = np.lib.stride_tricks.as_strided
# the plan's and the kernel choice's integer code, compiled as it is into the engine
for _fn in (merge_group, choose.choose_code, choose.dots_pay, choose.blas_class, choose.blas_sized, choose.blas_wanted, choose.c_contiguous, choose.needs_staging, tiles.work_items):
    register_jitable(_fn)


def _verified(family, xd, yd, out_dt, acc_dt, variant=""):
    """Raise unless the family's kernel for these dtypes passes verification in this process."""
    from . import family_verified

    if not family_verified(family, xd, yd, out_dt, acc_dt, variant):
        raise RuntimeError(
            f"batch_dot requires its {family} kernel for {out_dt} to pass verification, got a failure in this "
            f"process; a cached @njit function that calls batch_dot was compiled when it passed: clear the "
            f"function's Numba cache (its __pycache__ *.nbi/*.nbc files) to recompile it"
        )


@functools.cache
def _kernel_call(name, xd, yd, out_dt, acc_dt):
    """The intrinsic that calls the serial kernel ``name`` (a family, or ``family/variant``:
    :func:`.kernels.family_kernels`) for these dtypes by symbol."""
    family, _, variant = name.partition("/")
    check = None if family == "generic" else functools.partial(_verified, family, xd, yd, out_dt, acc_dt, variant)
    return symbol_call(family_kernels(family, out_dt, variant), check)


@functools.cache
def engine_call():
    """The intrinsic through which every caller calls :func:`_engine` (by symbol, not linked)."""
    return symbol_call(_engine)


def has_family(family, cls, rank2):
    """Whether ``family`` has a kernel for dtype class ``cls`` (:func:`.choose.dtype_class`)."""
    return (family == "generic" or (family == "tile" and cls >= choose.TILE_ONLY)
            or (family in ("dot", "rowdot") and cls >= choose.TILE_ONLY and (family == "dot" or rank2)))


def _kernel(family, x, y, out, zero, lo, hi):
    """The serial kernel of ``family`` (a literal string: a family, or ``family/variant``) for
    these arrays' dtypes (jitted only)."""
    raise NotImplementedError("jitted code only")


@overload(_kernel, prefer_literal=True)
def _kernel_overload(family, x, y, out, zero, lo, hi):
    if not isinstance(family, types.StringLiteral):
        return None
    as_dtype = numba.np.numpy_support.as_dtype
    name, dts = family.literal_value, (*(as_dtype(t.dtype) for t in (x, y, out)), as_dtype(zero))
    if not has_family(name.partition("/")[0], choose.dtype_class(*dts), x.ndim == 2 and y.ndim == 2):
        def unreachable(family, x, y, out, zero, lo, hi):  # the engine's flags rule it out
            raise AssertionError("batch_dot: a kernel family these dtypes have not")

        return unreachable
    call = _kernel_call(name, *dts)

    def impl(family, x, y, out, zero, lo, hi):
        call(x, y, out, zero, lo, hi)

    return impl


class _OnLines:
    """A target context that allocates arrays on cache lines (:func:`_empty_on_lines`): the
    real context for everything else."""

    def __init__(self, context):
        self._context = context

    def __getattr__(self, name):
        return getattr(self._context, name)

    def get_preferred_array_alignment(self, ty):
        return 64


@intrinsic
def _empty_on_lines(typingctx, shape, dtype):
    """``np.empty(shape, dtype)`` (C order) whose data start on a cache line, as the Python
    API's large results (:func:`batchdot.cpu.empty_aligned`; Numba's own ``np.empty`` aligns
    to 32 bytes, half a line)."""
    if isinstance(dtype, types.DType):
        dt = dtype.dtype
    elif isinstance(dtype, types.NumberClass):
        dt = dtype.instance_type
    else:
        return None
    if not isinstance(shape, types.UniTuple):
        return None
    arrty = types.Array(dt, shape.count, "C")

    def codegen(context, builder, sig, args):
        from numba.core.imputils import impl_ret_new_ref
        from numba.core import cgutils
        from numba.np.arrayobj import _empty_nd_impl

        ary = _empty_nd_impl(_OnLines(context), builder, arrty, cgutils.unpack_tuple(builder, args[0]))
        return impl_ret_new_ref(context, builder, arrty, ary._getvalue())

    return arrty(shape, dtype), codegen


@numba.njit(cache=True)
def _engine(x, y, a0, a1, kind, out, out_type, zero, templates, consts):
    """The run-time part of ``batch_dot`` inside ``@njit``: one compiled function per dtypes,
    ranks and ``out`` or not (layouts are runtime values), cached, shared by every caller.

    Returns the result (``out`` when given).  ``templates`` are zero tuples of the result's,
    x's and y's ranks and the result's identity order; ``consts`` what ``_typing`` decided
    (dtype class, forced family, hand-over to BLAS, verified families, L2 size, serial
    cutoff, and the names the Python API is called with).
    """
    cls, forced, to_python, tile_v, dot_v, rowdot_v, l2, cutoff, out_name, kernel_name = consts
    shape0, xorder0, yorder0, ident = templates
    XN, YN = x.ndim, y.ndim
    RS = len(shape0)
    JX = XN - 1  # the result's axes [1, JX) come from x, [JX, RS) from y
    rank2 = XN == 2 and YN == 2
    ax = a0 + XN if a0 < 0 else a0
    ay = a1 + YN if a1 < 0 else a1
    if not (0 < ax < XN and 0 < ay < YN):
        _reject(x, y, kind, a0, a1, out_name, kernel_name)
    B, K = x.shape[0], x.shape[ax]
    if y.shape[0] != B or y.shape[ay] != K:
        _reject(x, y, kind, a0, a1, out_name, kernel_name)
    # the result's shape; x's axes as (batch, free..., contracted), y's as (batch,
    # contracted, free...)
    shape = tuple_setitem(shape0, 0, B)
    xorder = tuple_setitem(xorder0, XN - 1, ax)
    yorder = tuple_setitem(yorder0, 1, ay)
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
    if XN + YN - 3 == 1:
        shape = tuple_setitem(shape, 1, 1)
    if out is not None:
        if out.shape != shape:
            _reject_out(x, y, kind, a0, a1, out, out_name, kernel_name)
        res = out
    else:
        res = _empty_on_lines(shape, out_type)
    if res.size == 0:
        return res
    if K == 0:
        res[...] = 0
        return res
    M, xms, x_merges = merge_group(x.shape, x.strides, xorder, 1, XN - 1)
    N, yns, y_merges = merge_group(y.shape, y.strides, yorder, 2, YN)
    # operands whose free axes cannot merge into one strided axis are copied (as _plan
    # does) by the Python API: a rank-generic transposed copy here costs seconds of
    # compilation for each dtype and rank
    if to_python or broadcast or not (x_merges and y_merges) or (B * M * N * K >= cutoff and _thread_id() == 0):
        _to_python(x, y, ax, ay, res, out_name, kernel_name)
        return res
    if out is not None:
        _, oms, om = merge_group(res.shape, res.strides, ident, 1, JX)
        _, ons, on = merge_group(res.shape, res.strides, ident, JX, RS)
        if not (om and on) or _may_share_memory(res, x) or _may_share_memory(res, y):
            _to_python(x, y, ax, ay, res, out_name, kernel_name)
            return res
        out3 = as_strided(res, (B, M, N), (res.strides[0], oms, ons))
    else:  # a new C-ordered result
        out3 = as_strided(res, (B, M, N), (M * N * res.itemsize, N * res.itemsize, res.itemsize))
    XI, YI = x.itemsize, y.itemsize
    # the canonical views
    x3 = as_strided(x, (B, M, K), (x.strides[0], xms, x.strides[ax]))
    y3 = as_strided(y, (B, K, N), (y.strides[0], y.strides[ay], yns))
    # operands stored by columns (rank 2, or vector-matrix products), read in place: the
    # Python API's rule (choose.choose_kernel)
    columns = (rank2 or M == 1) and choose.by_columns(K, x3.strides[0], x3.strides[2], XI, y3.strides[0],
                                                      y3.strides[1], YI, _no_columns(res))
    fam = forced
    if fam < 0:
        fam = choose.choose_code(cls, XI, YI, M, N, K, x3.strides[2], y3.strides[1],
                          choose.c_contiguous(y3.shape, y3.strides, YI), rank2, l2, columns, VECTOR_BYTES)
    if fam == choose.ROWDOT and rowdot_v:  # rank-2 operands as they are, out (B, 1)
        sx, sy = choose.needs_staging(choose.ROWDOT, K, x.strides[1], XI, K, y.strides[1], YI, columns)
        xs = np.ascontiguousarray(x) if sx else x
        ys = np.ascontiguousarray(y) if sy else y
        _kernel("rowdot", _general_in(xs), _general_in(ys), _general_out(res), zero, 0, B)
    elif fam == choose.DOT and dot_v:  # y as (B, N, K)
        yk = as_strided(y, (B, N, K), (y.strides[0], yns, y.strides[ay]))
        sx, sy = choose.needs_staging(choose.DOT, K, x3.strides[2], XI, K, yk.strides[2], YI, columns)
        xs = np.ascontiguousarray(x3) if sx else x3
        ys = np.ascontiguousarray(yk) if sy else yk
        _kernel("dot", _general_in(xs), _general_in(ys), _general_out(out3), zero, 0, B * M)
    elif (fam == choose.TILE or fam == choose.BLAS) and tile_v:
        # BLAS-sized work that stays here (a worker thread of the user's prange) runs on the tiles
        sx, sy = choose.needs_staging(choose.TILE, K, x3.strides[2], XI, N, y3.strides[2], YI)
        ys = np.ascontiguousarray(y3) if sy else y3
        if tiles.is_narrow(N, out3.itemsize):  # the tiles of at most one vector across (tiles.narrow_span)
            _kernel("tile/narrow", _general_in(x3), _general_in(ys), _general_out(out3), zero, 0, tiles.work_items(B, M))
        else:
            _kernel("tile", _general_in(x3), _general_in(ys), _general_out(out3), zero, 0, tiles.work_items(B, M))
    else:
        _kernel("generic", _general_in(x3), _general_in(y3), _general_out(out3), zero, 0, B * M * N)
    return res


# --------------------------------------------------------------------------- jitted helpers


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


def _no_columns(a):
    """:func:`.choose.no_column_kernel` of ``a``'s dtype (a compile-time constant in jitted code)."""
    return a.dtype == np.bool_ or a.dtype.kind == "c"


@overload(_no_columns)
def _no_columns_overload(a):
    value = a.dtype == types.boolean or isinstance(a.dtype, types.Complex)
    return lambda a: value


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
