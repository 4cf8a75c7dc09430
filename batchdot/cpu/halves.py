"""float16 operands and results: conversions to and from float32 as LLVM vector code.

Numba cannot type float16 values on the CPU, so the engine computes float16 in float32
(exactly: every float16 is a float32) and converts the operands and the result.  NumPy's
``astype`` between float16 and float32 runs one element at a time here (47 ms for 12.8
million elements); these convert 8 at a time with the CPU's half-precision instructions
(x86 F16C: ``vcvtph2ps``/``vcvtps2ph``), round-to-nearest-even like NumPy's, bit for bit
except that a signalling NaN comes back quiet (still NaN).  Measured on the dev VM for
12.8 million elements (``asv_bench/records/2026-12-01-2359-half-conversion.txt``): widening
15 ms against NumPy's 40 ms, narrowing 8 ms against 81 ms.  Where LLVM
reports no such instructions, :func:`convert` is NumPy's ``astype``.

The arrays are passed as ``uint16`` views of the float16 data; only their data pointers
are used.

:func:`convert_into` fills a given buffer instead (a group of rows at a time, in cache, for
the row dots), and also reverses the bytes of operands in non-native byte order (``>f8``
on x86: FITS files, network data) by vectors of ``llvm.bswap``.
"""

from __future__ import annotations

import numpy as np
from llvmlite import binding as llb
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import DISABLED, jit

__all__ = ["convert", "convert_into", "FAST"]


def _has_f16c():
    try:
        return bool(llb.get_host_cpu_features().get("f16c"))
    except Exception:  # pragma: no cover - llvmlite without host feature detection
        return False


#: Whether the vector conversions are used (x86 with F16C, and Numba's JIT enabled).
FAST = _has_f16c() and not DISABLED
_W = 8
#: Smaller arrays are converted by NumPy: a call here costs a few microseconds.
MIN_SIZE = 4096


def _copy_function(mod, name):
    """``(fn, builder)``: the function ``void name(i8* src, i8* dst, i64 n)`` of ``mod`` and a
    builder at its entry to define it, or None where ``mod`` defines it already."""
    i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
    fn = cgutils.get_or_insert_function(mod, ir.FunctionType(ir.VoidType(), [i8p, i8p, i64]), name)
    if not fn.is_declaration:
        return fn, None
    fn.linkage = "linkonce_odr"
    return fn, ir.IRBuilder(fn.append_basic_block("entry"))


def _convert_fn(mod, widen):
    """``void f(i8* src, i8* dst, i64 n)``: ``n`` values half -> float (``widen``) or back."""
    fn, builder = _copy_function(mod, "batchdot_half_to_float" if widen else "batchdot_float_to_half")
    if builder is None:
        return fn
    src, dst, n = fn.args
    i64 = ir.IntType(64)
    half, flt = ir.HalfType(), ir.FloatType()
    s_ty, d_ty = (half, flt) if widen else (flt, half)

    def step(ptr_ty_s, ptr_ty_d, at):
        s = builder.load(builder.bitcast(builder.gep(src, [builder.mul(at, ir.Constant(i64, 2 if widen else 4))]),
                                         ptr_ty_s), align=2 if widen else 4)
        v = builder.fpext(s, ptr_ty_d.pointee) if widen else builder.fptrunc(s, ptr_ty_d.pointee)
        builder.store(v, builder.bitcast(builder.gep(dst, [builder.mul(at, ir.Constant(i64, 4 if widen else 2))]),
                                         ptr_ty_d), align=4 if widen else 2)

    vs, vd = ir.VectorType(s_ty, _W), ir.VectorType(d_ty, _W)
    full = builder.sdiv(n, ir.Constant(i64, _W))
    with cgutils.for_range(builder, full) as loop:
        step(vs.as_pointer(), vd.as_pointer(), builder.mul(loop.index, ir.Constant(i64, _W)))
    with cgutils.for_range(builder, n, start=builder.mul(full, ir.Constant(i64, _W))) as loop:
        step(s_ty.as_pointer(), d_ty.as_pointer(), loop.index)
    builder.ret_void()
    return fn


@intrinsic
def _run(typingctx, src, dst, widen):
    """Convert all of the 1-D contiguous ``src`` into ``dst`` (``widen``: half bits -> float32)."""
    if not isinstance(widen, types.BooleanLiteral):
        return None
    sig = types.void(src, dst, widen)

    def codegen(context, builder, sig, args):
        return _call_copy(context, builder, sig, args, _convert_fn(builder.module, sig.args[2].literal_value))

    return sig, codegen


def _call_copy(context, builder, sig, args, fn):
    """Call a copy function ``fn(src, dst, n)`` (:func:`_copy_function`) on the data of the
    array arguments ``args[0]`` (all its items) and ``args[1]``."""
    i8p = ir.IntType(8).as_pointer()
    sa = context.make_array(sig.args[0])(context, builder, args[0])
    da = context.make_array(sig.args[1])(context, builder, args[1])
    builder.call(fn, [builder.bitcast(sa.data, i8p), builder.bitcast(da.data, i8p), sa.nitems])
    return context.get_dummy_value()


def _swap_fn(mod, unit):
    """``void f(i8* src, i8* dst, i64 n)``: ``n`` values of ``unit`` bytes, byte order reversed."""
    fn, builder = _copy_function(mod, f"batchdot_bswap_{unit}")
    if builder is None:
        return fn
    src, dst, n = fn.args
    i64 = ir.IntType(64)
    it = ir.IntType(8 * unit)
    w = 64 // unit  # one 64-byte vector a step

    def step(ty, at):
        suffix = f"v{ty.count}i{8 * unit}" if isinstance(ty, ir.VectorType) else f"i{8 * unit}"
        bswap = cgutils.get_or_insert_function(mod, ir.FunctionType(ty, [ty]), f"llvm.bswap.{suffix}")
        off = builder.mul(at, ir.Constant(i64, unit))
        v = builder.load(builder.bitcast(builder.gep(src, [off]), ty.as_pointer()), align=unit)
        builder.store(builder.call(bswap, [v]), builder.bitcast(builder.gep(dst, [off]), ty.as_pointer()), align=unit)

    full = builder.mul(builder.sdiv(n, ir.Constant(i64, w)), ir.Constant(i64, w))
    with cgutils.for_range_slice(builder, ir.Constant(i64, 0), full, ir.Constant(i64, w)) as (at, _):
        step(ir.VectorType(it, w), at)
    with cgutils.for_range(builder, n, start=full) as loop:
        step(it, loop.index)
    builder.ret_void()
    return fn


@intrinsic
def _swap_run(typingctx, src, dst):
    """Copy all of the 1-D contiguous unsigned-integer ``src`` into ``dst``, each value's bytes reversed."""
    if not (isinstance(src, types.Array) and isinstance(src.dtype, types.Integer)):
        return None
    sig = types.void(src, dst)

    def codegen(context, builder, sig, args):
        return _call_copy(context, builder, sig, args, _swap_fn(builder.module, sig.args[0].dtype.bitwidth // 8))

    return sig, codegen


@jit(fastmath=frozenset())
def _swap(src, dst):
    _swap_run(src, dst)


@jit(fastmath=frozenset())
def _widen(bits, out):
    _run(bits, out, True)


@jit(fastmath=frozenset())
def _narrow(values, bits):
    _run(values, bits, False)


def convert(a, dtype):
    """``a.astype(dtype)`` for float16 -> float32 and float32 -> float16; else ``astype``.

    The fast path takes C- or Fortran-contiguous arrays of at least :data:`MIN_SIZE` elements
    (the copy keeps their order); others go through NumPy, whose call costs less on small
    arrays.
    """
    if a.size < MIN_SIZE or not FAST:  # first: the tiny-call path's test
        return a.astype(dtype)
    pair = (a.dtype, np.dtype(dtype))
    if pair not in _PAIRS or not (a.flags.c_contiguous or a.flags.f_contiguous):
        return a.astype(dtype)
    order = "C" if a.flags.c_contiguous else "F"
    res = np.empty(a.shape, dtype, order=order)
    src, dst = a.ravel(order="K"), res.ravel(order="K")
    if pair[0] == np.float16:
        _widen(src.view(np.uint16), dst)
    else:
        _narrow(src, dst.view(np.uint16))
    return res


_PAIRS = {(np.dtype(np.float16), np.dtype(np.float32)), (np.dtype(np.float32), np.dtype(np.float16))}


def convert_into(dst, src):
    """``dst[...] = src`` for a C-contiguous native ``dst`` of the kernels' dtype and a
    C-contiguous ``src`` of the same shape: float16 widened (F16C vectors), non-native byte
    order reversed (``llvm.bswap`` vectors; complex: each part), else NumPy's ``copyto``."""
    sd, dd = src.dtype, dst.dtype
    if FAST and src.flags.c_contiguous and dst.flags.c_contiguous:
        if sd == np.float16 and dd == np.float32:
            _widen(src.reshape(-1).view(np.uint16), dst.reshape(-1))
            return dst
        if not sd.isnative and sd.newbyteorder("=") == dd and sd.kind in "iufc" and dd.itemsize > 1:
            unit = np.dtype(f"u{dd.itemsize // (2 if dd.kind == 'c' else 1)}")
            _swap(src.reshape(-1).view(unit), dst.reshape(-1).view(unit))
            return dst
    np.copyto(dst, src)
    return dst
