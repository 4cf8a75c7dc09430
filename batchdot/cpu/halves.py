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

Tiny float16 calls (:func:`.choose.tiny`) skip the conversions: :func:`half_rows` and
:func:`half_products` read the float16 bits, widen each value in a register and round each
result once, bit for bit as the row dots and the tiles compute on the widened copies
(:func:`tiny_kernel`).

:func:`convert_into` fills a given buffer instead (a group of rows at a time, in cache, for
the row dots), and also reverses the bytes of operands in non-native byte order (``>f8``
on x86: FITS files, network data) by vectors of ``llvm.bswap``.
"""

from __future__ import annotations

import numpy as np
from llvmlite import binding as llb
from llvmlite import ir
from numba import carray, types
from numba.core import cgutils
from numba.extending import intrinsic, register_jitable

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


# --------------------------------------------------------------------------- tiny float16 calls

#: Tiny float16 calls (:data:`.choose.TINY_HALF_MADDS`) run :func:`half_rows` /
#: :func:`half_products`, which read and write the float16 data as ``uint16`` bits: the
#: widening copies of both operands and the narrowing of the result (NumPy's ``astype`` below
#: :data:`MIN_SIZE`) made a (4, 3) row dot cost 2.5 us against float32's 1.2, and ``uint16``
#: views of the three arrays would cost 0.4 us a call.


@intrinsic
def _widen1(typingctx, bits):
    """The float32 value of the float16 whose bits are the ``uint16`` ``bits`` (exact)."""
    if bits != types.uint16:
        return None

    def codegen(context, builder, sig, args):
        return builder.fpext(builder.bitcast(args[0], ir.HalfType()), ir.FloatType())

    return types.float32(bits), codegen


@intrinsic
def _narrow1(typingctx, value):
    """The bits (``uint16``) of float32 ``value`` rounded to float16 (to nearest even, as
    NumPy's ``astype``: the same ``fptrunc`` as :func:`convert`'s vectors)."""
    if value != types.float32:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(builder.fptrunc(args[0], ir.HalfType()), ir.IntType(16))

    return types.uint16(value), codegen


@register_jitable
def lane_tree(acc, n, W, U):
    """The sum of a row dot's lanes in the order of the dots' vector code (:func:`.vector._dot_body`):
    ``U`` vectors of ``W`` lanes added pairwise in a tree, then the lanes by halves
    (:func:`.vector._lane_sum`).  ``acc[q]`` holds lane slot ``q`` (vector ``q // W``, lane
    ``q % W``) for ``q < n``; the vector code's other lanes hold ``+0``, which changes no sum
    (a lane's sum starts from ``+0`` and is never ``-0``), so they are skipped.  ``U`` is a
    power of two; ``acc`` is overwritten."""
    step, count = 1, U
    while count > 1:
        count //= 2
        for i in range(count):
            pa = min(max(n - 2 * i * step * W, 0), W)  # lanes present in vectors 2i and 2i + 1
            pb = min(max(n - (2 * i + 1) * step * W, 0), W)
            for lane in range(pa):
                v = acc[2 * i * W + lane]
                if lane < pb:
                    v = v + acc[(2 * i + 1) * W + lane]
                acc[i * W + lane] = v
        step *= 2
    present, w = min(n, W), W
    while w > 1:
        w //= 2
        for lane in range(min(w, present - w)):
            acc[lane] = acc[lane] + acc[lane + w]
        present = min(present, w)
    return acc[0]


#: float32 lane sums a row dot's vector code keeps at most (AVX-512: 4 vectors of 16).
LANE_SLOTS = 64


@intrinsic
def _lane_slots(typingctx):
    """A pointer to :data:`LANE_SLOTS` float32 on the stack of the calling function."""

    def codegen(context, builder, sig, args):
        slots = cgutils.alloca_once(builder, ir.ArrayType(ir.FloatType(), LANE_SLOTS))
        return builder.bitcast(slots, ir.FloatType().as_pointer())

    return types.CPointer(types.float32)(), codegen


@jit(fastmath=frozenset())
def half_rows(x, y, out, W, U):
    """``out[b, 0] = x[b] . y[b]`` for float16 ``x``, ``y`` ``(B, K)`` and ``out`` ``(B, 1)``
    read as ``uint16`` bits: products and sums in float32, bit for bit as the row dots sum
    the widened operands (product ``k`` into lane slot ``k % (W U)`` of ``U`` vectors of ``W``
    lanes, each from ``+0``, then :func:`lane_tree`), each result rounded once.  ``W * U``
    is at most :data:`LANE_SLOTS`."""
    B, K = x.shape
    zero = np.float32(0)
    n = min(K, W * U)
    acc = carray(_lane_slots(), LANE_SLOTS)
    for b in range(B):
        acc[:n] = zero
        q = 0
        for k in range(K):
            acc[q] = acc[q] + _widen1(x[b, k]) * _widen1(y[b, k])
            q = q + 1 if q + 1 < n else 0
        out[b, 0] = _narrow1(lane_tree(acc, n, W, U))


@jit(fastmath=frozenset())
def half_products(x, y, out):
    """``out[b] = x[b] @ y[b]`` for float16 ``x`` ``(B, M, K)``, ``y`` ``(B, K, N)`` and ``out``
    ``(B, M, N)`` read as ``uint16`` bits: products and sums in float32 in the order of the
    tiles on the widened operands (:func:`.kernels.tiny_products`), each result rounded once."""
    B, M, K = x.shape
    N = y.shape[2]
    for b in range(B):
        for i in range(M):
            for j in range(N):
                acc = np.float32(0)
                for k in range(K):
                    acc += _widen1(x[b, i, k]) * _widen1(y[b, k, j])
                out[b, i, j] = _narrow1(acc)


_HALF = np.dtype(np.float16)
_BITS = np.dtype(np.uint16)
#: rank (2 or 3) -> ``(fn, tail)`` of :func:`tiny_kernel` (``fn`` None where its check failed).
_TINY = {}


def tiny_kernel(rank):
    """``(fn, tail)``: the compiled :func:`half_rows` (``rank`` 2) or :func:`half_products` (3),
    to be called as ``fn(x, y, out, *tail)`` with the float16 arrays themselves; ``fn`` None
    where its check failed (the calls then take the widening path) or where this machine
    converts float16 in software (no F16C).

    The kernel is compiled for ``uint16`` arrays and called through its entry point, which
    skips Numba's type dispatch (:func:`.jit.compile_for`); Numba's unboxing of an array checks
    its item size, not its dtype, so float16 arrays arrive as their bits without a view.  The
    check runs exactly that (C order and strided layouts, against NumPy widened to float64),
    once: should a Numba version refuse float16 arrays there, the check fails and nothing
    changes for the user.
    """
    if rank in _TINY:
        return _TINY[rank]
    from .jit import compile_for

    fn, tail = None, ()
    if FAST and (rank == 3 or np.prod(row_lanes(np.float32)) <= LANE_SLOTS):
        rng = np.random.default_rng(16)
        shapes = ((5, 7), (5, 7), (5, 1)) if rank == 2 else ((3, 4, 7), (3, 7, 5), (3, 4, 5))
        x, y = (rng.standard_normal(s).astype(_HALF) for s in shapes[:2])
        tail = row_lanes(np.float32) if rank == 2 else ()
        fn = compile_for(half_rows if rank == 2 else half_products,
                         (x.view(_BITS), y.view(_BITS), np.empty(shapes[2], _BITS)) + tail, general=True)
        for a, b, strided in ((x, y, False), (np.asfortranarray(x), y[::-1], True), (x[:, ::-1], y, True)):
            got = np.zeros(shapes[2] + (2,), _HALF)[..., 0] if strided else np.zeros(shapes[2], _HALF)
            try:
                fn(a, b, got, *tail)
            except TypeError:  # pragma: no cover - a Numba that checks dtypes there
                fn = None
                break
            a64, b64 = a.astype(np.float64), b.astype(np.float64)
            wide = (a64 * b64).sum(1)[:, None] if rank == 2 else np.matmul(a64, b64)
            if not np.allclose(got.astype(np.float64), wide, rtol=2e-3, atol=2e-3):
                fn = None
                break
    _TINY[rank] = fn, tail
    return _TINY[rank]


def row_lanes(acc_dtype):
    """``(W, U)``: lanes and vector accumulators of a row dot summed in ``acc_dtype``
    (:func:`.vector.dot_kernel` with one dot)."""
    from .vector import dot_unroll, lanes

    return lanes(acc_dtype), dot_unroll(1)
