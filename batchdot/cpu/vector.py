"""Register-tile micro-kernels written as LLVM vector code (``numba.extending.intrinsic``).

One micro-kernel computes an ``MR x nr`` block of ``C = A @ B`` over ``K``::

    mk(a, a_off, a_rs, a_cs, b, b_off, b_rs, c, c_off, c_rs, c_cs, K, nr)

- ``a``, ``b``, ``c`` are Numba arrays of any layout (only their data pointer is used);
  ``*_off`` are byte offsets of the block's first element and ``*_rs``/``*_cs`` byte strides
  of its rows and columns: runtime values, so one compiled kernel serves every layout.
- ``B``'s rows must be unit-stride (``nr`` contiguous elements at ``b + b_off + k * b_rs``);
  ``A`` and ``C`` may have any strides.  ``nr <= NR = NV * W`` (``W`` lanes per vector).
- The accumulators are ``MR * NV`` vectors kept in registers through the whole K loop; each
  step loads ``NV`` vectors of B's row k, broadcasts ``A[r, k]`` and multiplies and adds.
  Full tiles (``nr == NR``) use plain vector loads and stores; partial ones masked loads
  of B and, to unit-stride rows of C, masked vector stores on AVX-512 (:data:`MASKED_STORES`),
  else element stores (never touching memory past column ``nr``).
- Products and sums are separate instructions: an overflowing product stays ``inf`` and
  ``inf - inf`` is NaN, exactly as in NumPy's ``(x * y).sum()``.  Float tiles also come
  fused (``llvm.fma``), for blocks whose largest finite magnitudes (:func:`absmax`) bound
  every product and sum below half the dtype's maximum: there nothing can overflow, fusing
  changes rounding only (inf and NaN inputs propagate alike), and on CPUs whose multiplies
  and adds share the FMA ports (Intel) the tiles run up to twice as fast.
- Operands are converted on load to the accumulation type (``sitofp``, ``fpext``, sign or
  zero extension), so mixed dtypes and ``dtype=`` widening need no staged cast.
- ``accumulate=True`` adds the block to ``C`` instead of overwriting it: the driver sums K in
  blocks (pairwise-style partial sums that keep float32 error growth low at large K).

Numba's on-disk cache keys a function on its own source file only: after editing this module,
delete ``batchdot/cpu/__pycache__/*.nbi`` and ``*.nbc`` (the cached ``tiles``/``dots`` kernels
still hold the old micro-kernels).  Installed versions are safe: an upgrade rewrites every file.

Why not unrolled scalars and LLVM's SLP vectoriser: that needs a global compiler switch that
Numba keeps off because of miscompilations, hundreds of scalar accumulators per tile (slow to
compile), and a separate specialisation per layout.  Here the vectors are explicit, the IR is
a few dozen instructions per tile, and the whole tile span compiles in 1.0–1.2 CPU seconds
per dtype (`asv_bench/records/scripts/tile_compile_seconds.py`).  Stores to an ``out`` whose
rows are not unit-stride go through one shared function per dtype (:func:`_strided_store`),
not a loop per accumulator in every tile shape: that halved the tiles' LLVM code.
"""

from __future__ import annotations

import functools

import numpy as np
from llvmlite import binding as llb
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, register_jitable

__all__ = ["VECTOR_BYTES", "REGISTERS", "lanes", "tile_shape", "columns", "block_kernel", "absmax", "magnitude",
           "fma_limit", "times_i", "transpose", "prefetch", "dot_block_kernel", "row_columns", "ROW_VECTORS"]


def _host_vector_unit():
    try:
        feats = llb.get_host_cpu_features()
    except Exception:  # pragma: no cover - llvmlite without host feature detection
        return 16, 16
    if feats.get("avx512f"):
        return 64, 32
    if feats.get("avx2") or feats.get("avx"):
        return 32, 16
    return 16, 32 if llb.get_process_triple().startswith(("aarch64", "arm64")) else 16


#: Bytes per vector register and number of vector registers of this CPU (AVX-512: 64, 32;
#: AVX2: 32, 16; SSE / NEON: 16, 16 / 32).
VECTOR_BYTES, REGISTERS = _host_vector_unit()
#: Partial register tiles (a block's last columns) store to unit-stride rows of C by masked
#: vector stores on AVX-512 (32 registers); on AVX2 they measured slower than element stores on
#: AMD (records/2026-12-02-0210-partial-tile-store.txt).
MASKED_STORES = REGISTERS >= 32


def lanes(dtype):
    """Vector lanes for ``dtype`` on this CPU."""
    return max(1, VECTOR_BYTES // np.dtype(dtype).itemsize)


def tile_shape(acc_dtype):
    """``(MR, NV)``: rows and vectors of the register tile for an accumulation dtype.

    ``MR * NV`` accumulators plus ``NV`` vectors of B and one broadcast must fit in the
    registers: two vectors across (``NV = 2``) and as many rows as fit.
    """
    nv = 2
    mr = min(8, (REGISTERS - nv - 1) // nv)
    return (mr - mr % 2 if mr > 4 else mr), nv


_LL = {
    "f4": ir.FloatType(), "f8": ir.DoubleType(),
    "i1": ir.IntType(8), "i2": ir.IntType(16), "i4": ir.IntType(32), "i8": ir.IntType(64),
    "u1": ir.IntType(8), "u2": ir.IntType(16), "u4": ir.IntType(32), "u8": ir.IntType(64),
    "b1": ir.IntType(8),
}


def _code(dtype):
    dt = np.dtype(dtype)
    return f"{dt.kind}{dt.itemsize}"


def _sum_code(oc):
    """The lanes' dtype code for sums of result code ``oc``: 1- and 2-byte integers are summed
    in 32-bit lanes (x86 has no 8-bit vector multiply) and truncated on store, which agrees
    modulo 2**bits with NumPy's wrapping sums."""
    return oc if oc[0] == "f" or int(oc[1]) >= 4 else oc[0] + "4"


def _body_codes(a_dtype, b_dtype, out_dtype):
    """``(ac, bc, oc, cc, w)`` of a dot body: the dtype codes of ``A``, ``B`` and ``C``, that of
    the sums' lanes (:func:`_sum_code`) and their count."""
    ac, bc, oc = _code(a_dtype), _code(b_dtype), _code(out_dtype)
    cc = _sum_code(oc)
    return ac, bc, oc, cc, lanes(np.dtype(cc))


def _tile_lanes(acc_dtype, half=False):
    """Lanes of a micro-kernel's vectors for sums in ``acc_dtype`` (:func:`_sum_code`), of
    half-width vectors where ``half``: a tile of ``nv`` vectors spans ``nv`` times as many
    columns."""
    return lanes(np.dtype(_sum_code(_code(acc_dtype)))) // (2 if half else 1)


def _array_dtypes(sig, positions):
    """NumPy dtypes of the array arguments of ``sig`` at ``positions`` (bool as NumPy's bool)."""
    return [np.dtype(bool) if sig.args[i].dtype == types.boolean else np.dtype(str(sig.args[i].dtype))
            for i in positions]


def _data_at(context, builder, arr, ty, off):
    """An ``i8*`` to byte offset ``off`` of the data of Numba array ``arr`` of type ``ty``."""
    data = context.make_array(ty)(context, builder, arr).data
    return builder.gep(builder.bitcast(data, ir.IntType(8).as_pointer()), [off])


def _convert(builder, value, src, dst, dst_ty):
    """``value`` of dtype code ``src`` converted to ``dst`` (scalar or vector ``dst_ty``)."""
    if src == dst:
        return value
    sk, dk = src[0], dst[0]
    if dk == "f":
        if sk == "f":
            return builder.fpext(value, dst_ty) if int(src[1]) < int(dst[1]) else builder.fptrunc(value, dst_ty)
        if sk in "ub":
            return builder.uitofp(value, dst_ty)
        return builder.sitofp(value, dst_ty)
    # integer accumulation (results wrap modulo 2**bits, as NumPy's)
    sbits, dbits = int(src[1]) * 8, int(dst[1]) * 8
    if sbits == dbits:
        return value
    if sbits > dbits:
        return builder.trunc(value, dst_ty)
    return builder.zext(value, dst_ty) if sk in "ub" else builder.sext(value, dst_ty)


def _vector_load(builder, ptr, vty, align, mask=None):
    """A vector of type ``vty`` at ``ptr`` (any pointer): a plain load, or with ``mask`` a
    masked load whose lanes off the mask read no memory (and are zero)."""
    vptr = builder.bitcast(ptr, vty.as_pointer())
    if mask is None:
        return builder.load(vptr, align=align)
    vn = _vname(vty.element, vty.count)
    i32 = ir.IntType(32)
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vty, [vty.as_pointer(), i32, mask.type, vty]),
                                        f"llvm.masked.load.{vn}.p0{vn}")
    floating = isinstance(vty.element, (ir.FloatType, ir.DoubleType))
    return builder.call(fn, [vptr, ir.Constant(i32, align), mask, ir.Constant(vty, [0.0 if floating else 0] * vty.count)])


def _vector_store(builder, val, ptr, align, mask=None):
    """``val`` stored at ``ptr`` (any pointer): a plain store, or with ``mask`` only the lanes
    on it (the others' memory is neither read nor written)."""
    vty = val.type
    vptr = builder.bitcast(ptr, vty.as_pointer())
    if mask is None:
        builder.store(val, vptr, align=align)
        return
    vn = _vname(vty.element, vty.count)
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [vty, vty.as_pointer(), ir.IntType(32), mask.type]),
                                        f"llvm.masked.store.{vn}.p0{vn}")
    builder.call(fn, [val, vptr, ir.Constant(ir.IntType(32), align), mask])


def _lane_sum(builder, vec, add):
    """The sum of ``vec``'s lanes: halves added in turn (upper half onto lower), then lane 0.

    ``log2(W)`` shuffles and adds: a short dependency chain, where a sum of the ``W``
    extracted lanes was ``W - 1`` scalar adds long (AVX-512 float32: 15).
    """
    w = vec.type.count
    i32 = ir.IntType(32)
    while w > 1:
        w //= 2
        lo = builder.shuffle_vector(vec, vec, ir.Constant(ir.VectorType(i32, w), list(range(w))))
        hi = builder.shuffle_vector(vec, vec, ir.Constant(ir.VectorType(i32, w), list(range(w, 2 * w))))
        vec = add(lo, hi)
    return builder.extract_element(vec, ir.Constant(i32, 0))


def _joint_lane_sums(builder, vecs, add):
    """The sums of the lanes of each of ``vecs`` (``W`` lanes each; a power of two of them, at
    most ``W``), computed together: pairs of vectors are folded into one whose lanes hold each
    of the pair's partial sums on half as many lanes (the lower halves of each dot's lanes
    beside each other, plus the upper halves), until one vector holds every dot; then its
    dots' lanes are folded by halves within it, until one lane each.  For ``n`` dots of ``W``
    lanes: ``n - 1 + log2(W / n)`` vector adds and twice as many shuffles, where
    :func:`_lane_sum` on each took ``n log2(W)`` adds (8 float64 dots on AVX-512: 7 against 24).
    A fixed order of sums, another than :func:`_lane_sum`'s."""
    i32 = ir.IntType(32)
    w = vecs[0].type.count
    seg = w  # lanes per dot in every vector

    def fold(x, y, lanes):  # x, y: vectors of dots of ``lanes`` lanes each -> dots of lanes/2
        half = lanes // 2
        count = x.type.count
        lo, hi = [], []
        for base in (0, count):  # x's lanes, then y's (shufflevector indexes both as one)
            for d in range(count // lanes):
                lo += [base + d * lanes + q for q in range(half)]
                hi += [base + d * lanes + half + q for q in range(half)]
        mask_lo = ir.Constant(ir.VectorType(i32, len(lo)), lo)
        mask_hi = ir.Constant(ir.VectorType(i32, len(hi)), hi)
        return add(builder.shuffle_vector(x, y, mask_lo), builder.shuffle_vector(x, y, mask_hi))

    while len(vecs) > 1:
        vecs = [fold(x, y, seg) for x, y in zip(vecs[::2], vecs[1::2])]
        seg //= 2
    v = vecs[0]
    while seg > 1:  # fold within the one vector: lower halves against upper halves
        half = seg // 2
        count = v.type.count
        lo = [d * seg + q for d in range(count // seg) for q in range(half)]
        hi = [d * seg + half + q for d in range(count // seg) for q in range(half)]
        v = add(builder.shuffle_vector(v, v, ir.Constant(ir.VectorType(i32, len(lo)), lo)),
                builder.shuffle_vector(v, v, ir.Constant(ir.VectorType(i32, len(hi)), hi)))
        seg = half
    return [builder.extract_element(v, ir.Constant(i32, d)) for d in range(v.type.count)]


def _define(mod, fnty, name, noinline=True):
    """``(fn, builder)``: LLVM function ``name`` of ``mod``, defined once per module
    (``linkonce_odr``), with a builder at its new entry block; ``builder`` is None where
    ``mod`` defines it already."""
    fn = cgutils.get_or_insert_function(mod, fnty, name)
    if not fn.is_declaration:
        return fn, None
    fn.linkage = "linkonce_odr"
    if noinline:
        fn.attributes.add("noinline")
    return fn, ir.IRBuilder(fn.append_basic_block("entry"))


def _splat(builder, scalar, vty):
    w = vty.count
    v = builder.insert_element(ir.Constant(vty, ir.Undefined), scalar, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(v, ir.Constant(vty, ir.Undefined), ir.Constant(ir.VectorType(ir.IntType(32), w), [0] * w))


@functools.cache
def block_kernel(mr, mr1, mr1w=None, group="all"):
    """The intrinsic that runs the register tiles over the rows of one block of ``C``.

    ``group``: the tile shapes it compiles, so that a span compiles only those it runs (the
    few-row group was a fifth of ``tile_span``'s code,
    ``asv_bench/records/2026-12-07-2147-few-row-span-compile.txt``): ``"all"``, shapes 0-2
    below; ``"wide"``, 2 and 1 (``mr1`` rows only; any other code runs as 1, which computes any
    block of up to ``W`` columns); ``"narrow"``, 0 and 1 (any other code runs as 1); ``"few"``, 3-5 (any
    other code runs as 4, which computes any block of up to ``8W`` columns).

    ``blk(a, a_off, a_rs, a_cs, b, b_off, b_rs, c, c_off, c_rs, c_cs, K, nr, accumulate, rows, shape, fused, ahead)``
    computes rows ``0..rows`` of the block in tiles of ``shape`` (:func:`columns`): 2,
    ``mr x 2W`` tiles (``nr <= 2W``) and then one ``mr/2 x 2W`` tile (unfused) where that
    many rows are left (M = 5-7, 13, 39 ...: 1.08-1.37x the single rows on one thread, for
    about 0.04 s more compilation; the same for the one-vector tiles cost 0.1-0.5 s,
    `asv_bench/records/2026-12-06-2358-leftover-rows-iso.txt`, `-2358-…-iso-wide-and-narrow.txt`);
    1, ``mr1 x W`` (``nr <= W``), or, where A's rows are
    adjacent (``a_rs`` is A's itemsize: a tile's column of A is one run), ``mr1w x W``
    tiles and then one ``mr1 x W`` tile where that many rows are left (``mr1w`` defaults to
    ``mr1``); 0, ``mr1 x W/2`` of half-width vectors (``nr <= W/2``: 8 x 8 float32 products
    on AVX-512 run full tiles); then the last rows one at a time.  In the ``few`` group: 3 and 4, every
    row alone in one-row tiles of 4 or 8 vectors, 5, 4-row tiles of 4 vectors and then single
    rows (:func:`row_columns`: few rows over wide rows of ``B``; unfused, no prefetch; any
    other code runs as 4, which computes any block of up to ``8W`` columns).  ``fused`` (float sums
    only): fused multiply-adds, for blocks whose operands' magnitudes (:func:`absmax`) show that no product or sum can
    overflow, where fusing changes rounding only; else separate products and sums.
    ``ahead = (a_at, a_bytes, b_at, b_bytes, c_at, c_bytes, part, parts, seen, a_next, b_next)``: byte ranges of
    ``A``, ``B`` and ``C`` (offsets from their data) to prefetch (zero bytes: none), part
    ``part`` of ``parts`` of them in this block, a share by each full tile (not by
    ``mr1w``-row tiles).  Fused two-vector tiles over unit-stride rows of ``C`` prefetch
    theirs inside the K loop, a line of ``A``'s and of ``B``'s share in each of the first K
    steps and one of ``C``'s in each of the last (lines beyond K: before the tile); other
    tiles before they start.  ``seen`` (0: none), the address of two float64 (:func:`slots`):
    the two-vector tiles read ``A``'s and ``B``'s shares instead, keep the largest magnitudes
    there (the next batch element's bound for fused multiply-adds, :data:`.tiles.READ_FROM`)
    and prefetch the lines ``a_next`` and ``b_next`` bytes on (:func:`_shares`).  Arguments
    as the micro-kernel's in the module docstring.  Dtypes come from the arrays' types:
    ``A``'s and ``B``'s elements (any real numeric dtype, bool as 0/1) are converted on load
    to ``C``'s dtype, the accumulation dtype (float32/64 or a 1-8 byte integer, which wraps
    like NumPy's).  ``W = lanes(C.dtype)``.  The loop over rows is LLVM code here and each
    tile shape one LLVM function (not inlined), so a kernel with several blocks stays small
    and quick to compile.
    """

    mr1w = mr1 if mr1w is None else mr1w
    if group not in ("all", "wide", "narrow", "few"):
        raise ValueError(f"block_kernel requires group to be 'all', 'wide', 'narrow' or 'few', got {group!r}")

    @intrinsic
    def blk(typingctx, a, a_off, a_rs, a_cs, b, b_off, b_rs, c, c_off, c_rs, c_cs, K, nr, accumulate, rows,
            shape, fused, ahead, b_cs):
        if not isinstance(c.dtype, (types.Float, types.Integer)) or c.dtype == types.boolean:
            return None
        if not (isinstance(ahead, types.UniTuple) and ahead.count == 11 and isinstance(ahead.dtype, types.Integer)):
            return None
        sig = types.void(a, a_off, a_rs, a_cs, b, b_off, b_rs, c, c_off, c_rs, c_cs, K, nr, accumulate, rows,
                         shape, fused, ahead, b_cs)

        def codegen(context, builder, sig, args):
            a, a_off, a_rs, a_cs, b, b_off, b_rs, c, c_off, c_rs, c_cs, K, nr, acc, rows, shape, fused, ahead, b_cs = args
            dts = _array_dtypes(sig, (0, 4, 7))

            def base(arr, ty, off):
                return _data_at(context, builder, arr, ty, off)

            flag = context.cast(builder, acc, sig.args[13], types.boolean)
            a0, b0, c0 = base(a, sig.args[0], a_off), base(b, sig.args[4], b_off), base(c, sig.args[7], c_off)
            if group != "few":  # B stored by columns (b_cs not its item size: y stored (B, N, K), its K
                # unit-stride): the block transposed into a buffer on the stack, which the tiles read
                b0, b_rs = _transposed_block(builder, dts[1], dts[2], b0, b_rs,
                                             context.cast(builder, b_cs, sig.args[18], types.int64), K, nr)
            # the prefetch ranges and the part of them for this block, as rows.type
            ahead = [context.cast(builder, v, sig.args[17].dtype, sig.args[14]) for v in cgutils.unpack_tuple(builder, ahead, 11)]
            args = (a0, a_rs, a_cs, b0, b_rs, c0, c_rs, c_cs, K, nr, flag)
            i64 = ir.IntType(64)
            spilled = cgutils.alloca_once(builder, i64, size=11)

            def pointers():  # ``ahead`` with pointers for its offsets, built only where used (built up front, every block had paid for them)
                return [base(a, sig.args[0], ahead[0]), ahead[1], base(b, sig.args[4], ahead[2]), ahead[3],
                        base(c, sig.args[7], ahead[4]), *ahead[5:]]

            def tiles(m, nv, half=False, fma=False, then=None):
                if nv == 2:  # the wide tiles and their prefetch shares (:func:`_wide_tiles`), which
                    # take ``ahead`` as eleven i64 on the stack (fewer arguments to pass)
                    for j, v in enumerate(pointers()):
                        v = builder.ptrtoint(v, i64) if isinstance(v.type, ir.PointerType) else v
                        builder.store(v, builder.gep(spilled, [ir.Constant(i64, j)]))
                    builder.call(_wide_tiles(builder.module, dts, m, fma, then), [*args, rows, spilled])
                else:
                    _row_tiles(builder, dts, args, rows, m, nv, half, fma, then=then, share=_shares(builder, K, ahead, pointers))

            code = context.cast(builder, shape, sig.args[15], types.int64)

            def wide_tiles():  # shape 2
                if dts[2].kind == "f":  # float sums: fused multiply-adds where the caller's bound allows
                    with builder.if_else(context.cast(builder, fused, sig.args[16], types.boolean)) as (fast, exact):
                        with fast:
                            tiles(mr, 2, fma=True, then=mr // 2)
                        with exact:
                            tiles(mr, 2, then=mr // 2)
                else:
                    tiles(mr, 2, then=mr // 2)

            def one_vector_tiles():  # shape 1 (narrow products never reach FMA_INTENSITY: no fused bodies)
                if mr1w > mr1:  # mr1w rows where a tile's column of A is one run
                    adjacent = builder.icmp_signed("==", a_rs, ir.Constant(a_rs.type, dts[0].itemsize))
                    with builder.if_else(adjacent) as (run, rows_apart):
                        with run:  # in a function of its own: small products' loop stays as it was
                            fn = _tall_tiles(builder.module, dts, mr1w, mr1)
                            builder.call(fn, [a0, a_rs, a_cs, b0, b_rs, c0, c_rs, c_cs, K, nr, flag, rows])
                        with rows_apart:
                            tiles(mr1, 1)
                else:
                    tiles(mr1, 1)

            def either(value, first, other):  # ``first()`` where ``code == value``, else ``other()``
                with builder.if_else(builder.icmp_signed("==", code, ir.Constant(ir.IntType(64), value))) as (yes, no):
                    with yes:
                        first()
                    with no:
                        other()

            if group == "all":
                either(2, wide_tiles, lambda: either(1, one_vector_tiles, lambda: tiles(mr1, 1, half=True)))
            elif group == "wide":  # (a last block of one vector: no tall tiles, one function less)
                either(2, wide_tiles, lambda: tiles(mr1, 1))
            elif group == "narrow":
                either(0, lambda: tiles(mr1, 1, half=True), one_vector_tiles)
            else:  # the few-row tiles (unfused, no prefetch); any other code runs as shape 4
                for shape_code, (m, nv, masked) in _FEW_ROW_TILES.items():
                    is_code = builder.icmp_signed("==", code, ir.Constant(ir.IntType(64), shape_code))
                    if shape_code == 4:
                        is_code = builder.not_(builder.or_(
                            builder.icmp_signed("==", code, ir.Constant(ir.IntType(64), 3)),
                            builder.icmp_signed("==", code, ir.Constant(ir.IntType(64), 5))))
                    with builder.if_then(is_code):
                        _row_tiles(builder, dts, args, rows, m, nv, masked=masked)
            return context.get_dummy_value()

        return sig, codegen

    return blk


#: Depth of one block of K in the spans (``tiles.KC``), and so the most rows of ``B`` a block
#: kernel transposes into its buffer (:func:`_transposed_block`).
KC = 256


def _transposed_block(builder, b_dtype, acc_dtype, b0, b_rs, b_cs, K, nr):
    """``(b0, b_rs)`` of the block of ``B`` the tiles read: as it is where its rows are
    unit-stride (``b_cs`` is its item size), else (``B`` stored by columns, each unit-stride:
    ``y`` stored ``(B, N, K)``, the keys of ``q k^T``) its ``K x nr`` elements transposed by
    :func:`transpose`'s squares into a buffer on the calling function's stack (one per
    function, on a cache line, rows of whole squares: :data:`KC` plus a square of rows of two
    vectors of sums), which stays in L1 while the rows of ``A`` pass over it.  Before, the
    engine copied all of ``y`` transposed first, into new memory: on (4368, 20, 43) .
    (4368, 23, 43)^T float64 that copy (its page faults included) took as long as the product."""
    item = b_dtype.itemsize
    w = square(item)
    ld = -(-2 * _tile_lanes(acc_dtype) // w) * w  # a row of the buffer: the widest tile's columns, whole squares
    fn = builder.function
    buf = getattr(fn, "_batchdot_transposed", None)
    if buf is None or buf[1] < (KC + w) * ld * item:  # (one buffer per function, in its entry block)
        size = (KC + w) * ld * item
        raw = cgutils.alloca_once(builder, ir.IntType(8), size=ir.Constant(ir.IntType(64), size))
        raw.align = 64
        buf = fn._batchdot_transposed = (raw, size)
    i64 = ir.IntType(64)
    rs = ir.Constant(i64, ld * item)
    by_columns = builder.icmp_signed("!=", b_cs, ir.Constant(i64, item))
    with builder.if_then(by_columns, likely=False):
        builder.call(_transpose_body(builder.module, item), [b0, b_cs, buf[0], rs, K, nr])
    return builder.select(by_columns, buf[0], b0), builder.select(by_columns, rs, b_rs)


def _shares(builder, K, ahead, pointers=None, scan=None):
    """``(any, ranges)`` for :func:`_row_tiles` from ``ahead = (a_ptr, a_bytes, b_ptr, b_bytes,
    c_ptr, c_bytes, part, parts, seen, a_next, b_next)`` (:func:`block_kernel`; ``pointers()``: ``ahead`` with the
    pointers, where ``ahead`` holds offsets): whether there is anything to prefetch, and
    ``ranges(t, n, before=False)``, tile ``t`` of ``n``'s share (of part ``part`` of
    ``parts``) as ``[i8*, lines, i8*, lines, i8*, lines, a_last, b_last, seen, a_next, b_next]`` for the tile's
    K loop (at most K lines each: those past K are fetched at once, here), or ``before``: all
    of it fetched here (and ``[]``).

    ``scan = (A's dtype, B's dtype)``: where ``seen`` is not 0, the address of two float64,
    the shares of ``A`` and of ``B`` are read rather than prefetched, and the largest
    magnitude of each (:func:`absmax`'s bound: NaN skipped; a constant for integers and bool)
    kept there (:func:`_read_ahead`), and the lines ``a_next`` and ``b_next`` bytes beyond
    them prefetched (the element after: a read of a line that is not in cache stalls the
    tile, a prefetch does not); ``a_last``, ``b_last``: the offsets of the last whole line of
    ``A``'s and ``B``'s range from the share's first line (no line read runs past the range)."""
    part, parts = ahead[6:8]
    ty = part.type
    any_ahead = builder.icmp_signed("!=", builder.or_(builder.or_(ahead[1], ahead[3]), ahead[5]), ir.Constant(ty, 0))
    seen = builder.inttoptr(ahead[8], ir.DoubleType().as_pointer()) if scan else None

    def ranges(t, n, before=False):
        line, c64, zero = ir.Constant(ty, -64), ir.Constant(ty, 64), ir.Constant(ty, 0)
        t, n = builder.add(builder.mul(part, n), t), builder.mul(parts, n)
        pf = (pointers() if pointers else ahead)[:6]
        out, lasts = [], []
        for j, (ptr, size) in enumerate(zip(pf[0::2], pf[1::2])):
            lo = builder.and_(builder.sdiv(builder.mul(size, t), n), line)
            hi = builder.sdiv(builder.mul(size, builder.add(t, ir.Constant(ty, 1))), n)
            reads = scan is not None and j < 2
            if reads:
                lasts.append(builder.sub(builder.sub(size, c64), lo))
            if before:
                if reads:
                    _read_ahead(builder, scan[j], seen, j, ptr, lo, hi, size, ahead[9 + j])
                else:
                    _prefetch_lines(builder, ptr, lo, hi)
                continue
            nl = builder.sdiv(builder.add(builder.sub(hi, lo), ir.Constant(ty, 63)), c64)
            nl = builder.select(builder.icmp_signed(">", nl, zero), nl, zero)
            past = builder.icmp_signed(">", nl, K)
            with builder.if_then(past, likely=False):
                if reads:
                    _read_ahead(builder, scan[j], seen, j, ptr, builder.add(lo, builder.mul(K, c64)), hi, size, ahead[9 + j])
                else:
                    _prefetch_lines(builder, ptr, builder.add(lo, builder.mul(K, c64)), hi)
            out += [builder.gep(ptr, [lo]), builder.select(past, K, nl)]  # the K loop's lines: the first K
        if before or scan is None:
            return out
        return out + lasts + [seen, ahead[9], ahead[10]]

    return any_ahead, ranges


def _magnitude_step(builder, dtype):
    """``(zero, step)`` for reading a float ``dtype`` ahead: ``step(acc, ptr)``, the 64 bytes at
    ``i8*`` ``ptr`` as a vector of ``dtype`` and their magnitudes (sign bits cleared) folded
    into the vector ``acc`` by a maximum that keeps the old value against NaN, as
    :func:`absmax`'s; ``zero``, the vector to start from."""
    item = dtype.itemsize
    n = 64 // item
    vt, ivt = ir.VectorType({4: ir.FloatType(), 8: ir.DoubleType()}[item], n), ir.VectorType(ir.IntType(8 * item), n)
    magnitude = ir.Constant(ivt, [(1 << (8 * item - 1)) - 1] * n)

    def step(acc, ptr):
        v = builder.load(builder.bitcast(ptr, vt.as_pointer()), align=item)
        v = builder.bitcast(builder.and_(builder.bitcast(v, ivt), magnitude), vt)
        return builder.select(builder.fcmp_ordered(">", v, acc), v, acc)

    return ir.Constant(vt, [0.0] * n), step


def _keep_largest(builder, value, seen, j):
    """``seen[j] = max(seen[j], value)`` for a float64 ``value`` (``seen``: a double*; ``j``: an
    int or an i64)."""
    slot = builder.gep(seen, [j if isinstance(j, ir.Value) else ir.Constant(ir.IntType(64), j)])
    old = builder.load(slot)
    builder.store(builder.select(builder.fcmp_ordered(">", value, old), value, old), slot)


def _fold_largest(builder, acc, seen, j):
    """The largest lane of ``acc`` (:func:`_magnitude_step`'s vector) kept in ``seen[j]``."""
    top = _lane_sum(builder, acc, lambda a, b: builder.select(builder.fcmp_ordered(">", a, b), a, b))
    _keep_largest(builder, top if top.type == ir.DoubleType() else builder.fpext(top, ir.DoubleType()), seen, j)


def _scanned(dtype):
    """Whether a share of ``dtype`` is read for its magnitudes (float32/64); other dtypes'
    bound is :func:`absmax`'s constant."""
    return dtype.kind == "f" and dtype.itemsize in (4, 8)


def _constant_bound(dtype):
    """:func:`absmax`'s bound for a dtype it does not read: ``2**bits`` for integers, 1 for bool."""
    return 1.0 if dtype.kind == "b" else 2.0 ** (8 * dtype.itemsize)


def _read_line(builder, acc, step, ptr, off, last, nxt):
    """The line at byte offset ``off`` of ``i8*`` ``ptr`` (read from at most ``last``: never past
    its range) folded into the vector of magnitudes at ``acc`` by ``step``
    (:func:`_magnitude_step`), and the line ``nxt`` bytes on prefetched: one step of reading a
    share ahead, in :func:`_read_ahead` and in the tiles' K loop (:func:`_body`)."""
    _prefetch(builder, builder.gep(ptr, [builder.add(off, nxt)]))
    off = builder.select(builder.icmp_signed("<", off, last), off, last)
    builder.store(step(builder.load(acc), builder.gep(ptr, [off])), acc)


def _read_ahead(builder, dtype, seen, j, ptr, lo, hi, size, nxt):
    """Bytes ``lo..hi`` of the range at ``i8*`` ``ptr`` (``size`` bytes) read a line at a time,
    the largest magnitude among them (as ``dtype``) kept in ``seen[j]``, and the same lines
    ``nxt`` bytes on prefetched, where ``seen`` is not null; else prefetched.  A line is read
    from ``min(q, size - 64)``: never past the range.  One LLVM function per dtype (called:
    inline at each of a block's call sites, it cost 0.3-0.8 s more compilation)."""
    i64, dp = ir.IntType(64), ir.DoubleType().as_pointer()
    i8p = ir.IntType(8).as_pointer()
    name = f"batchdot_read_ahead_{_code(dtype)}"
    fn, fb = _define(builder.module, ir.FunctionType(ir.VoidType(), [dp, i64, i8p, i64, i64, i64, i64]), name)
    if fb is not None:
        seen_, j_, ptr_, lo_, hi_, size_, nxt_ = fn.args
        on = fb.icmp_unsigned("!=", seen_, ir.Constant(dp, None))
        with fb.if_else(on) as (reading, fetching):
            with reading:
                if not _scanned(dtype):
                    _keep_largest(fb, ir.Constant(ir.DoubleType(), _constant_bound(dtype)), seen_, j_)
                    _prefetch_lines(fb, ptr_, lo_, hi_)
                else:
                    zero, step = _magnitude_step(fb, dtype)
                    acc = cgutils.alloca_once_value(fb, zero)
                    last = fb.sub(size_, ir.Constant(i64, 64))
                    with cgutils.for_range_slice(fb, lo_, hi_, ir.Constant(i64, 64)) as (q, _):
                        _read_line(fb, acc, step, ptr_, q, last, nxt_)
                    _fold_largest(fb, fb.load(acc), seen_, j_)
            with fetching:
                _prefetch_lines(fb, ptr_, lo_, hi_)
        fb.ret_void()
    builder.call(fn, [seen, ir.Constant(i64, j), ptr, lo, hi, size, nxt])


def _wide_tiles(mod, dts, m, fma, then):
    """The rows of a block in two-vector tiles (:func:`_row_tiles`) with their prefetch
    shares, as an LLVM function of ``mod``, called: inlined (``alwaysinline``), one thread
    ran (50000, 8, 8) float32 products 4-11 % slower and small wide ones 0-18 % faster, mixed
    (`asv_bench/records/2026-12-07-1027-wide-tiles-inlined-ab.txt`), and the called form keeps the block kernel
    small.  Arguments: the micro-kernel's, the block's rows and :func:`block_kernel`'s
    ``ahead``, eleven i64 (pointers for its offsets) on the caller's stack; their shares of
    ``A`` and ``B`` are read for their magnitudes (:func:`_shares`' ``scan``)."""
    i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
    names = "_".join(_code(d) for d in dts)
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i64, i64, i8p, i64, i8p, i64, i64, i64, i64, ir.IntType(1), i64,
                                           i64.as_pointer()])
    fn, builder = _define(mod, fnty, f"batchdot_wide11_{names}_{m}{'_fma' if fma else ''}_{then}")
    if builder is not None:
        args = fn.args[:11]
        ahead = [builder.load(builder.gep(fn.args[12], [ir.Constant(i64, j)])) for j in range(11)]
        ahead[0:6:2] = (builder.inttoptr(v, i8p) for v in ahead[0:6:2])
        _row_tiles(builder, dts, args, fn.args[11], m, 2, False, fma, then=then,
                   share=_shares(builder, args[8], ahead, scan=dts[:2]))
        builder.ret_void()
    return fn


#: Vectors of the one-row tiles (shapes 3 and 4 of :func:`block_kernel`, :func:`row_columns`):
#: products of a few rows over wide rows of ``y`` take a whole block of ``4W`` or ``8W``
#: columns of each row of ``y`` per K step, where the two-vector tiles read ``y`` in column
#: passes of ``2W`` (a float64 (29, 36) element of ``y`` in three, streamed at 8.6 GB/s on one
#: thread, ``asv_bench/records/2026-12-07-1210-few-row-prefetch-at-once.txt``).  One thread,
#: against the two-vector tiles: 1 x 29 x 36 float64 2.7x, 1 x 64 x 64 and 1 x 64 x 128 2.7x,
#: 2-3 rows 1.13-1.53x, other shapes level (``-1214-row-tiles-shapes.txt``); with 8 vectors
#: only, float32 1 x 29 x 36 and 2 x 16 x 48 lost 0.71-0.83 (mostly masked lanes), hence 4
#: for up to ``4W`` columns (``-1212-row-tiles-variants.txt``).  The 4-vector one-row tile,
#: one block of at most ``4W`` columns, is one masked body (``_body(masked=True)``: full and
#: partial tiles alike, half the code); the 8-vector and the 4-row ones keep separate full and
#: partial bodies: as masked bodies they lost 5-22 % on rows of 512-3003 columns, many full
#: blocks (``-1249-row-tiles-masked-shapes.txt``, ``-1325-row-tiles-unmasked-wide.txt``).  Compiling
#: ``tile_span`` costs 0.2-0.6 s more for float32 (``-1250-tile-compile-few-row.txt``, ``-1325-row-tiles-unmasked-wide.txt``).
ROW_VECTORS = (4, 8)


@register_jitable
def row_columns(M, N, w):
    """``(shape, columns per block)`` of the one-row tiles for products of ``M`` rows and ``N``
    columns of ``w`` lanes: ``(3, 4w)`` for ``N`` in ``(2w, 4w]``, ``(4, 8w)`` beyond, where
    ``M`` is at most :data:`ROW_TILE_ROWS`; ``(5, 4w)``, 4-row tiles of 4 vectors and then
    single rows of 4, for up to :data:`QUAD_TILE_ROWS` rows and ``8w`` columns; else ``(-1, 0)``."""
    if M > QUAD_TILE_ROWS or N <= 2 * w:
        return -1, 0
    if M > ROW_TILE_ROWS:
        return (5, 4 * w) if N <= 8 * w else (-1, 0)
    if N <= 4 * w:
        return 3, 4 * w
    return 4, 8 * w


#: The few-row tiles by shape code (:func:`row_columns`, :func:`block_kernel`): ``(rows,
#: vectors, one masked body)`` of their tiles.
_FEW_ROW_TILES = {3: (1, ROW_VECTORS[0], True), 4: (1, ROW_VECTORS[1], False), 5: (4, ROW_VECTORS[0], False)}


#: Rows of the products that take the one-row tiles (:func:`row_columns`): up to three, which
#: the two-vector tiles ran one row at a time too (their ``mr/2``-row tile needs four); at 4
#: and 6 rows, where that tile shares each load of ``y`` between four rows, the one-row tiles
#: lost (0.57-0.88; 5 x 64 x 64 float64 gained 1.79, not taken; ``asv_bench/records/2026-12-07-1212-row-tiles-variants.txt``).
ROW_TILE_ROWS = 3
#: Rows of the products that take 4-row tiles of 4 vectors (block shape 5, :func:`row_columns`),
#: beyond :data:`ROW_TILE_ROWS`: one thread against the two-vector tiles, 4 rows 1.01-1.24x,
#: 5 rows 1.11-1.69x; 6 rows mixed (float64 6 x 29 x 36 0.83, float32 6 x 16 x 48 1.07-1.09),
#: 7 level (``asv_bench/records/2026-12-07-1225-quad-tiles-shapes.txt``); only up to ``8W``
#: columns: 4 x 20 x 1000 float64 level and 5 x 20 x 3003 0.78 against the two-vector tiles
#: (``-1339-quad-tiles-wide.txt``).
QUAD_TILE_ROWS = 5


@register_jitable
def columns(n, w):
    """``(shape, NR)``: the tile shape code of :func:`block_kernel` and the columns per block
    for ``n`` columns of ``w`` lanes: half-width vectors for ``n <= w / 2``, one vector for
    ``n <= w``, else two."""
    if w >= 4 and 2 * n <= w:
        return 0, w // 2
    if n <= w:
        return 1, w
    return 2, 2 * w


def _absmax_codegen(nan):
    """The codegen of :func:`absmax` (``nan=False``) and :func:`magnitude` (``nan=True``)."""

    def codegen(context, builder, sig, args):
        arr, off, rs, cs, rows, n = args
        dt = _array_dtypes(sig, (0,))[0]
        f64 = ir.DoubleType()
        if dt.kind != "f":
            return ir.Constant(f64, 1.0 if dt.kind == "b" else 2.0 ** (8 * dt.itemsize))
        if dt.itemsize not in (4, 8):  # (float16 is widened before any kernel): never fuse
            return ir.Constant(f64, float("inf"))
        fn = _absmax_body(builder.module, dt, nan)
        base = _data_at(context, builder, arr, sig.args[0], off)
        item = ir.Constant(cs.type, dt.itemsize)
        # read along whichever axis is unit-stride (columns of a transposed block)
        by_columns = builder.and_(builder.icmp_signed("!=", cs, item), builder.icmp_signed("==", rs, item))
        return builder.call(fn, [base, builder.select(by_columns, cs, rs), builder.select(by_columns, rs, cs),
                                  builder.select(by_columns, n, rows), builder.select(by_columns, rows, n)])

    return codegen


@intrinsic
def absmax(typingctx, a, off, rs, cs, rows, n):
    """``absmax(a, off, rs, cs, rows, n)``: a float64 bound on the magnitudes of the finite
    elements of a ``rows x n`` block of array ``a`` (byte offset ``off``, byte strides ``rs``
    and ``cs``): for floats their exact largest magnitude (NaN skipped, infinities kept: NaN's
    products are NaN with or without fused multiply-adds), for integers ``2**bits``, for bool
    1.  A block whose columns are unit-stride and rows not is read by columns.

    The magnitudes are the elements with their sign bit cleared (no fast-math flags needed),
    their maximum a float comparison that keeps the old value against NaN; unit-stride rows
    are read in vectors (the last one masked), others element by element.
    """
    if not isinstance(a, types.Array):
        return None
    return types.float64(a, off, rs, cs, rows, n), _absmax_codegen(False)


@intrinsic
def magnitude(typingctx, a, off, rs, cs, rows, n):
    """``magnitude(a, off, rs, cs, rows, n)``: :func:`absmax` of a float block with no element
    skipped: NaN where the block holds NaN, else inf where it holds inf, else the exact
    largest magnitude (the sign-cleared bits compared as unsigned integers: NaN's are above
    the infinity's, which are above every finite float's).  The bound of BLAS's products
    (:func:`batchdot.cpu._blas`), which leave blocks with NaN or inf to the tiles."""
    if not isinstance(a, types.Array):
        return None
    return types.float64(a, off, rs, cs, rows, n), _absmax_codegen(True)


def _prefetch_lines(builder, base, lo, hi):
    """Prefetch bytes ``lo..hi`` from ``i8*`` ``base`` into L2 (and the levels beyond), a cache
    line (64 bytes) at a time.  Into every level (locality 3) until 2026-12-07, tuned on
    Intel Xeons; on an AMD EPYC, into L2: the tiles' midaxis float64 1.11-1.16x
    (``asv_bench/records/2026-12-07-0713-tile-prefetch-l2-ab.txt``; the dots gained too,
    ``-0712-dots-prefetch-l2-ab.txt``, and then gained more without it: :data:`.dots.SHARED_BELOW`)."""
    with cgutils.for_range_slice(builder, lo, hi, ir.Constant(lo.type, 64)) as (q, _):
        _prefetch(builder, builder.gep(base, [q]))


def _prefetch(builder, ptr):
    """Prefetch the cache line at ``i8*`` ``ptr`` into L2 (and beyond)."""
    i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
    fn = builder.module.globals.get("llvm.prefetch.p0") or ir.Function(builder.module, fnty, "llvm.prefetch.p0")
    # read, locality 2 (L2 and beyond), data
    builder.call(fn, [ptr, ir.Constant(i32, 0), ir.Constant(i32, 2), ir.Constant(i32, 1)])


@intrinsic
def prefetch(typingctx, a, off, size):
    """``prefetch(a, off, size)``: bytes ``off .. off + size`` of array ``a``'s data prefetched
    into L2 (:func:`_prefetch_lines`), a cache line at a time; nothing is read."""
    if not isinstance(a, types.Array):
        return None
    sig = types.void(a, off, size)

    def codegen(context, builder, sig, args):
        arr, o, n = args
        base = _data_at(context, builder, arr, sig.args[0], context.cast(builder, o, sig.args[1], types.int64))
        _prefetch_lines(builder, base, ir.Constant(ir.IntType(64), 0), context.cast(builder, n, sig.args[2], types.int64))
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def slots(typingctx):
    """``slots()``: the address (int64) of two float64 on the calling function's stack, for
    :func:`block_kernel`'s ``seen``; read and written by :func:`slot_get`, :func:`slot_set`.
    (An array would cost an allocation a call and its compilation.)"""
    def codegen(context, builder, sig, args):
        buf = cgutils.alloca_once(builder, ir.DoubleType(), size=2)
        return builder.ptrtoint(buf, ir.IntType(64))

    return types.int64(), codegen


@intrinsic
def slot_get(typingctx, at, j):
    """``slot_get(at, j)``: float64 ``j`` of :func:`slots` ``at``."""
    def codegen(context, builder, sig, args):
        ptr = builder.inttoptr(args[0], ir.DoubleType().as_pointer())
        return builder.load(builder.gep(ptr, [context.cast(builder, args[1], sig.args[1], types.int64)]))

    return types.float64(at, j), codegen


@intrinsic
def slot_set(typingctx, at, j, v):
    """``slot_set(at, j, v)``: float64 ``j`` of :func:`slots` ``at`` set to ``v``."""
    def codegen(context, builder, sig, args):
        ptr = builder.inttoptr(args[0], ir.DoubleType().as_pointer())
        value = context.cast(builder, args[2], sig.args[2], types.float64)
        builder.store(value, builder.gep(ptr, [context.cast(builder, args[1], sig.args[1], types.int64)]))
        return context.get_dummy_value()

    return types.void(at, j, v), codegen


@intrinsic
def fma_limit(typingctx, c):
    """Half the largest finite value of array ``c``'s dtype as a float64 (-1 for integers and
    bool): sums of products bounded by it cannot overflow, so fused multiply-adds only round
    differently (:func:`absmax`)."""
    if not isinstance(c, types.Array):
        return None
    sig = types.float64(c)

    def codegen(context, builder, sig, args):
        dt = _array_dtypes(sig, (0,))[0]
        return ir.Constant(ir.DoubleType(), float(np.finfo(dt).max) / 2 if dt.kind == "f" else -1.0)

    return sig, codegen


@intrinsic
def times_i(typingctx, src, src_off, src_rs, dst, dst_rs, rows, n):
    """``times_i(src, src_off, src_rs, dst, dst_rs, rows, n)``: the real view of ``i z`` for
    the complex numbers ``z`` of a ``rows x n/2`` block, in ``rows x n`` reals of ``dst``
    (from its data, byte row stride ``dst_rs``): each pair ``(re, im)`` of ``src`` (reals,
    byte offset ``src_off``, byte row stride ``src_rs``, the pairs of a row adjacent)
    becomes ``(-im, re)``.  Exact (a move and a sign flip).  A row is read and written in
    vectors (a shuffle of the pairs and a sign mask), its last reals one pair at a time.
    """
    if not (isinstance(src, types.Array) and isinstance(dst, types.Array) and src.dtype == dst.dtype
            and isinstance(src.dtype, types.Float)):
        return None
    sig = types.void(src, src_off, src_rs, dst, dst_rs, rows, n)

    def codegen(context, builder, sig, args):
        s, s_off, s_rs, d, d_rs, rows, n = args
        dt = _array_dtypes(sig, (0,))[0]
        i64 = ir.IntType(64)
        fn = _times_i_body(builder.module, dt)  # (one per module and dtype)
        cast = [context.cast(builder, v, t, types.int64)
                for v, t in zip((s_rs, d_rs, rows, n), (sig.args[2], sig.args[4], sig.args[5], sig.args[6]))]
        builder.call(fn, [_data_at(context, builder, s, sig.args[0], s_off),
                          _data_at(context, builder, d, sig.args[3], ir.Constant(i64, 0))] + cast)
        return context.get_dummy_value()

    return sig, codegen


def _times_i_body(mod, dtype):
    """:func:`times_i` for float ``dtype`` as an LLVM function of ``mod``."""
    item = dtype.itemsize
    w = lanes(dtype)
    i8, i32, i64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
    ft = {4: ir.FloatType(), 8: ir.DoubleType()}[item]
    it = ir.IntType(8 * item)
    vt, ivt = ir.VectorType(ft, w), ir.VectorType(it, w)
    p8 = i8.as_pointer()
    fn, builder = _define(mod, ir.FunctionType(ir.VoidType(), [p8, p8, i64, i64, i64, i64]),
                          f"batchdot_times_i_f{item}_w{w}", noinline=False)
    if builder is None:
        return fn
    src, dst, s_rs, d_rs, rows, n = fn.args
    swap = ir.Constant(ir.VectorType(i32, w), [j ^ 1 for j in range(w)])
    sign = ir.Constant(ivt, [(1 << (8 * item - 1)) if j % 2 == 0 else 0 for j in range(w)])
    sign1 = ir.Constant(it, 1 << (8 * item - 1))
    size = ir.Constant(i64, item)
    full = builder.mul(builder.sdiv(n, ir.Constant(i64, w)), ir.Constant(i64, w))
    with cgutils.for_range(builder, rows) as row_loop:
        sr = builder.gep(src, [builder.mul(row_loop.index, s_rs)])
        dr = builder.gep(dst, [builder.mul(row_loop.index, d_rs)])
        with cgutils.for_range_slice(builder, ir.Constant(i64, 0), full, ir.Constant(i64, w)) as (j, _):
            at = builder.mul(j, size)
            v = _vector_load(builder, builder.gep(sr, [at]), vt, item)
            v = builder.shuffle_vector(v, ir.Constant(vt, ir.Undefined), swap)
            v = builder.bitcast(builder.xor(builder.bitcast(v, ivt), sign), vt)
            _vector_store(builder, v, builder.gep(dr, [at]), item)
        with cgutils.for_range_slice(builder, full, n, ir.Constant(i64, 2)) as (j, _):
            re_at, im_at = builder.mul(j, size), builder.mul(builder.add(j, ir.Constant(i64, 1)), size)
            re = builder.load(builder.bitcast(builder.gep(sr, [re_at]), it.as_pointer()), align=item)
            im = builder.load(builder.bitcast(builder.gep(sr, [im_at]), it.as_pointer()), align=item)
            builder.store(builder.xor(im, sign1), builder.bitcast(builder.gep(dr, [re_at]), it.as_pointer()), align=item)
            builder.store(re, builder.bitcast(builder.gep(dr, [im_at]), it.as_pointer()), align=item)
    builder.ret_void()
    return fn


#: Elements a side of :func:`transpose`'s squares (fewer where a vector holds fewer).
SQUARE = 16


def square(itemsize):
    """Elements a side of :func:`transpose`'s squares for items of ``itemsize`` bytes: the
    vector lanes, at most :data:`SQUARE` (16 x 16 float32, 8 x 8 float64 on AVX-512)."""
    return min(VECTOR_BYTES // itemsize, SQUARE)


@intrinsic
def transpose(typingctx, src, src_off, src_cs, dst, dst_off, dst_rs, rows, n):
    """``transpose(src, src_off, src_cs, dst, dst_off, dst_rs, rows, n)``: a ``rows x n`` block
    whose columns are unit-stride in ``src`` (element ``(k, j)`` at byte ``src_off + k *
    itemsize + j * src_cs``: a block of ``y`` stored ``(B, N, K)``) copied to ``dst`` with
    unit-stride rows (element ``(k, j)`` at byte ``dst_off + k * dst_rs + j * itemsize``), bits
    unchanged: :func:`batchdot.cpu.transposed_copy`, the copy of an operand stored transposed.

    In squares of ``w x w`` elements (:func:`square`): ``w`` vector loads down the columns
    and ``w`` vector stores of rows, both masked at the block's edges (no byte outside the
    block is read or written), and ``log2(w)`` rounds of shuffles between them that swap the
    off-diagonal halves of ever smaller blocks.  NumPy's copy of such a view moves an element
    at a time: into new memory this ran 1.11-2.90x faster from 0.5 MB
    (``asv_bench/records/2026-12-08-0050-stage-transposed.txt``).
    """
    if not (isinstance(src, types.Array) and isinstance(dst, types.Array) and src.dtype == dst.dtype):
        return None
    sig = types.void(src, src_off, src_cs, dst, dst_off, dst_rs, rows, n)

    def codegen(context, builder, sig, args):
        args = [context.cast(builder, v, t, types.int64) if isinstance(t, types.Integer) else v
                for v, t in zip(args, sig.args)]  # (its LLVM body takes i64)
        fn = _transpose_body(builder.module, _array_dtypes(sig, (0,))[0].itemsize)  # (one per module and itemsize)
        builder.call(fn, _pointer_args(context, builder, sig, args))
        return context.get_dummy_value()

    return sig, codegen


def _square(builder, src, dst, s_cs, d_rs, item, vt, j0, k0, edge):
    """One square of :func:`transpose` from column ``j0`` and row ``k0`` of the block: ``w`` loads,
    the shuffles, ``w`` stores; ``edge = (lane, none, columns, rows)`` left in the block: masked
    loads and stores, else plain ones (a whole square)."""
    i32, i64 = ir.IntType(32), ir.IntType(64)
    w = vt.count
    if edge is not None:
        lane, none, left, down = edge
        inside = builder.icmp_signed("<", lane, _splat(builder, down, ir.VectorType(i64, w)))
        across = builder.icmp_signed("<", lane, _splat(builder, left, ir.VectorType(i64, w)))
    at = builder.gep(src, [builder.add(builder.mul(j0, s_cs), builder.mul(k0, ir.Constant(i64, item)))])
    vecs = []
    for j in range(w):  # column j0 + j of the block (a row of src's square), zeros past n
        mask = None if edge is None else builder.select(builder.icmp_signed("<", ir.Constant(i64, j), left), inside, none)
        vecs.append(_vector_load(builder, builder.gep(at, [builder.mul(ir.Constant(i64, j), s_cs)]), vt, item, mask))
    h = w // 2
    while h:  # swap the off-diagonal h x h blocks of every 2h x 2h block
        for i in range(w):
            if i & h:
                continue
            a, b = vecs[i], vecs[i + h]
            lo = [l if not l & h else w + l - h for l in range(w)]
            hi = [l + h if not l & h else w + l for l in range(w)]
            vecs[i] = builder.shuffle_vector(a, b, ir.Constant(ir.VectorType(i32, w), lo))
            vecs[i + h] = builder.shuffle_vector(a, b, ir.Constant(ir.VectorType(i32, w), hi))
        h //= 2
    out = builder.gep(dst, [builder.add(builder.mul(k0, d_rs), builder.mul(j0, ir.Constant(i64, item)))])
    for k in range(w):  # row k0 + k of dst (where below rows): the square's columns below n
        mask = None if edge is None else builder.select(builder.icmp_signed("<", ir.Constant(i64, k), down), across, none)
        _vector_store(builder, vecs[k], builder.gep(out, [builder.mul(ir.Constant(i64, k), d_rs)]), item, mask)


def _transpose_body(mod, item):
    """:func:`transpose` for ``item``-byte elements (moved as integers) as an LLVM function of ``mod``,
    taking ``(src, src_cs, dst, dst_rs, rows, n)`` (pointers to the blocks' first elements)."""
    i8, i32, i64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
    w = square(item)
    vt = ir.VectorType(ir.IntType(8 * item), w)
    p8 = i8.as_pointer()
    fn, builder = _define(mod, ir.FunctionType(ir.VoidType(), [p8, i64, p8, i64, i64, i64]),
                          f"batchdot_transpose_{item}_w{w}_a")  # (_a: the intrinsic's argument order)
    if builder is None:
        return fn
    src, s_cs, dst, d_rs, rows, n = fn.args
    lane = ir.Constant(ir.VectorType(i64, w), list(range(w)))
    none = ir.Constant(ir.VectorType(ir.IntType(1), w), [0] * w)
    step = ir.Constant(i64, w)
    with cgutils.for_range_slice(builder, ir.Constant(i64, 0), n, step) as (j0, _):
        left = builder.sub(n, j0)  # columns of dst (rows of src's square) in this square
        with cgutils.for_range_slice(builder, ir.Constant(i64, 0), rows, step) as (k0, _):
            full = builder.and_(builder.icmp_signed(">=", left, step), builder.icmp_signed(">=", builder.sub(rows, k0), step))
            with builder.if_else(full, likely=True) as (whole, edge):  # (plain loads and stores: masked
                # ones across cache lines ran a third slower)
                with whole:
                    _square(builder, src, dst, s_cs, d_rs, item, vt, j0, k0, None)
                with edge:
                    _square(builder, src, dst, s_cs, d_rs, item, vt, j0, k0, (lane, none, left, builder.sub(rows, k0)))
    builder.ret_void()
    return fn


def _absmax_body(mod, dtype, nan=False):
    """:func:`absmax` (:func:`magnitude` with ``nan``) for float ``dtype`` as an LLVM function of ``mod``.

    Two vector instructions per vector read: the magnitude (sign bit cleared) and a float
    maximum that keeps the old value when the new one is NaN (``maxps``'s own rule), or with
    ``nan`` an unsigned integer maximum of the magnitudes' bits (NaN above inf above the rest).
    """
    item = dtype.itemsize
    w = lanes(dtype)
    i8, i64, f64 = ir.IntType(8), ir.IntType(64), ir.DoubleType()
    ft = {4: ir.FloatType(), 8: f64}[item]
    it = ir.IntType(8 * item)
    vt = ir.VectorType(ft, w)
    name = f"batchdot_absmax_f{item}_w{w}_" + ("n" if nan else "f")  # _f: float maximum, infinities kept; _n: NaN too
    fn, builder = _define(mod, ir.FunctionType(f64, [i8.as_pointer(), i64, i64, i64, i64]), name)
    if builder is None:
        return fn
    base, rs, cs, rows, n = fn.args
    magnitude = (1 << (8 * item - 1)) - 1

    def fabs(v):  # the sign bit cleared, as integers (no fast-math flags needed)
        ivt = ir.VectorType(it, w) if v.type is vt else it
        bits = builder.and_(builder.bitcast(v, ivt), ir.Constant(ivt, [magnitude] * w if ivt is not it else magnitude))
        return builder.bitcast(bits, v.type)

    def fmax(new, old):  # NaN in ``new`` keeps ``old``; with ``nan`` the larger bits win
        if nan:
            ivt = ir.VectorType(it, new.type.count) if isinstance(new.type, ir.VectorType) else it
            return builder.select(builder.icmp_unsigned(">", builder.bitcast(new, ivt), builder.bitcast(old, ivt)), new, old)
        return builder.select(builder.fcmp_ordered(">", new, old), new, old)

    bests = [builder.alloca(vt) for _ in range(4)]  # four chains: a maximum's latency is 4 cycles
    for best in bests:
        builder.store(ir.Constant(vt, [0.0] * w), best)
    best = bests[0]

    def step(ptr, acc, mask=None):
        v = _vector_load(builder, ptr, vt, item, mask)
        builder.store(fmax(fabs(v), builder.load(acc)), acc)

    unit = builder.icmp_signed("==", cs, ir.Constant(i64, item))
    # a block whose rows follow each other (a C-ordered batch element) is read as one long row
    flat = builder.and_(unit, builder.icmp_signed("==", rs, builder.mul(n, ir.Constant(i64, item))))
    n = builder.select(flat, builder.mul(rows, n), n)
    rows = builder.select(flat, ir.Constant(i64, 1), rows)
    lane_idx = ir.Constant(ir.VectorType(i64, w), list(range(w)))
    n_all = n
    with cgutils.for_range(builder, rows) as row_loop:
        row = builder.gep(base, [builder.mul(row_loop.index, rs)])
        with builder.if_else(unit) as (vectors, elements):
            with vectors:
                # the elements before the first vector boundary in one masked load, so that the
                # others are read in whole vectors that never cross a cache line
                at = builder.ptrtoint(row, i64)
                lead = builder.udiv(builder.and_(builder.neg(at), ir.Constant(i64, w * item - 1)), ir.Constant(i64, item))
                lead = builder.select(builder.icmp_signed("<", n_all, lead), n_all, lead)
                with builder.if_then(builder.icmp_signed(">", lead, ir.Constant(i64, 0))):
                    step(row, best, builder.icmp_signed("<", lane_idx, _splat(builder, lead, ir.VectorType(i64, w))))
                vrow = builder.gep(row, [builder.mul(lead, ir.Constant(i64, item))])
                n = builder.sub(n_all, lead)
                full = builder.mul(builder.sdiv(n, ir.Constant(i64, w)), ir.Constant(i64, w))
                full4 = builder.mul(builder.sdiv(n, ir.Constant(i64, 4 * w)), ir.Constant(i64, 4 * w))
                with cgutils.for_range_slice(builder, ir.Constant(i64, 0), full4, ir.Constant(i64, 4 * w)) as (j, _):
                    for q in range(4):
                        jq = builder.add(j, ir.Constant(i64, q * w))
                        step(builder.gep(vrow, [builder.mul(jq, ir.Constant(i64, item))]), bests[q])
                with cgutils.for_range_slice(builder, full4, full, ir.Constant(i64, w)) as (j, _):
                    step(builder.gep(vrow, [builder.mul(j, ir.Constant(i64, item))]), best)
                with builder.if_then(builder.icmp_signed(">", n, full)):
                    left = _splat(builder, builder.sub(n, full), ir.VectorType(i64, w))
                    step(builder.gep(vrow, [builder.mul(full, ir.Constant(i64, item))]), best,
                         builder.icmp_signed("<", lane_idx, left))
            with elements:
                with cgutils.for_range(builder, n_all) as col_loop:
                    p = builder.bitcast(builder.gep(row, [builder.mul(col_loop.index, cs)]), ft.as_pointer())
                    v = fabs(builder.load(p, align=item))
                    old = builder.load(best)
                    lane0 = builder.extract_element(old, ir.Constant(ir.IntType(32), 0))
                    builder.store(builder.insert_element(old, fmax(v, lane0), ir.Constant(ir.IntType(32), 0)), best)
    top = _lane_sum(builder, _tree_sum([builder.load(b) for b in bests], fmax), fmax)
    builder.ret(builder.fpext(top, f64) if item == 4 else top)
    return fn


def _open_loop(builder, bound, rows, cols, vty, zero, after_name):
    """Open a K loop run while ``bound > 0``: ``(pre, loop, after, k, accs)``.

    ``k`` counts from 0; ``accs`` are ``rows x cols`` phis of vector type ``vty``, ``zero`` on
    entry.  :func:`_close_loop` adds the back edge.
    """
    i64 = ir.IntType(64)
    pre = builder.basic_block
    loop = builder.append_basic_block("loop")
    after = builder.append_basic_block(after_name)
    builder.cbranch(builder.icmp_signed(">", bound, ir.Constant(i64, 0)), loop, after)
    builder.position_at_end(loop)
    k = builder.phi(i64)
    k.add_incoming(ir.Constant(i64, 0), pre)
    accs = [[builder.phi(vty) for _ in range(cols)] for _ in range(rows)]
    for row in accs:
        for ph in row:
            ph.add_incoming(zero, pre)
    return pre, loop, after, k, accs


def _close_loop(builder, pre, k, step, accs, new, bound, loop, after, zero):
    """Close a K loop: back edge while ``k + step < bound``, then the accumulators after it.

    ``accs`` are the loop's phis (zero from ``pre``), ``new`` their values at the end of an
    iteration; returns phis in ``after``: ``zero`` when the loop never ran, else ``new``.
    """
    k1 = builder.add(k, step)
    last = builder.basic_block
    k.add_incoming(k1, last)
    for row_acc, row_new in zip(accs, new):
        for acc, val in zip(row_acc, row_new):
            acc.add_incoming(val, last)
    builder.cbranch(builder.icmp_signed("<", k1, bound), loop, after)
    builder.position_at_end(after)
    return _phi_rows(builder, [[zero] * len(row) for row in new], pre, new, last)


def _phi_rows(builder, rows_a, block_a, rows_b, block_b):
    """Phis at the builder's position, row by row (every phi first, at the block's top):
    ``rows_a[i][j]`` when control came from ``block_a``, ``rows_b[i][j]`` from ``block_b``."""
    merged = []
    for row_a, row_b in zip(rows_a, rows_b):
        row = []
        for a, b in zip(row_a, row_b):
            ph = builder.phi(b.type)
            ph.add_incoming(a, block_a)
            ph.add_incoming(b, block_b)
            row.append(ph)
        merged.append(row)
    return merged


def _tree_sum(vecs, add):
    """``vecs`` summed pairwise in a tree (``add`` of two values)."""
    while len(vecs) > 1:
        vecs = [add(x, y) for x, y in zip(vecs[::2], vecs[1::2])]
    return vecs[0]


def _masked_tail(builder, K, full, w, sums, tail):
    """The accumulators ``sums`` (rows of vectors) of a K loop that ran to ``full``, with the
    last ``K - full`` elements added where there are any: ``tail(mask_of)`` returns ``sums``
    updated, ``mask_of(k)`` the lanes of the vector at element ``k`` that lie below ``K``
    (masked loads read nothing past it).  Returns phis of ``sums``' shape."""
    i64 = ir.IntType(64)
    lane_idx = ir.Constant(ir.VectorType(i64, w), list(range(w)))
    before = builder.basic_block
    masked = builder.append_basic_block("masked")
    reduce = builder.append_basic_block("reduce")
    builder.cbranch(builder.icmp_signed(">", K, full), masked, reduce)
    builder.position_at_end(masked)

    def mask_of(k):
        return builder.icmp_signed("<", lane_idx, _splat(builder, builder.sub(K, k), ir.VectorType(i64, w)))

    tails = tail(mask_of)
    after = builder.basic_block
    builder.branch(reduce)
    builder.position_at_end(reduce)
    return _phi_rows(builder, sums, before, tails, after)


def _vname(ty, w):
    kind = "f" if isinstance(ty, (ir.FloatType, ir.DoubleType)) else "i"
    bits = {ir.FloatType: 32, ir.DoubleType: 64}.get(type(ty)) or ty.width
    return f"v{w}{kind}{bits}"


def _row_tiles(builder, dts, args, rows, m, nv, half=False, fma=False, then=None, share=None, masked=False):
    """Rows ``0..rows`` of a block (``args``: the micro-kernel's, A's and C's bases at row 0)
    in full tiles of ``m`` rows (``share = (any, ranges)`` of :func:`_shares`: where ``any``,
    tile ``t`` of ``n`` prefetches ``ranges(t, n)``, inside its K loop where it is a fused
    two-vector tile over ``nr`` full columns of unit-stride rows of C, else before it); then, where
    ``then`` rows are left, one unfused tile of them; then the last rows one at a time with
    the unfused one-row tile (one function less to compile, and rounding is all fusing
    changes)."""
    a0, a_rs, a_cs, b0, b_rs, c0, c_rs, c_cs, K, nr, flag = args
    ty = rows.type

    def call(fn, i, ranges=()):  # a tile from row i
        builder.call(fn, [builder.gep(a0, [builder.mul(i, a_rs)]), a_rs, a_cs, b0, b_rs,
                          builder.gep(c0, [builder.mul(i, c_rs)]), c_rs, c_cs, K, nr, flag, *ranges])

    nfull = builder.sdiv(rows, ir.Constant(ty, m))
    inside = share is not None and nv == 2 and fma  # fused two-vector tiles prefetch inside their K loop
    fn = _body(builder.module, *dts, m, nv, half, fma, masked=masked)
    if inside:  # where the tiles are full and C's rows unit-stride (the prefetching micro-kernel's only case)
        acc = dts[2]
        full = builder.and_(builder.icmp_signed("==", nr, ir.Constant(nr.type, nv * _tile_lanes(acc, half))),
                            builder.icmp_signed("==", c_cs, ir.Constant(c_cs.type, acc.itemsize)))
        inside = builder.and_(share[0], full)

    def before(t, i):  # tile t's share prefetched before it runs from row i
        with builder.if_then(share[0], likely=False):
            share[1](t, nfull, before=True)
        call(fn, i)

    with cgutils.for_range(builder, nfull) as loop:
        i = builder.mul(loop.index, ir.Constant(ty, m))
        if share is None:
            call(fn, i)
        elif inside is False:
            before(loop.index, i)
        else:
            with builder.if_else(inside, likely=False) as (ahead, plain):
                with ahead:
                    call(_body(builder.module, *dts, m, nv, half, fma, ahead=True), i, share[1](loop.index, nfull))
                with plain:  # partial tiles, strided rows of C
                    before(loop.index, i)
    done = builder.mul(nfull, ir.Constant(ty, m))
    last = m  # the rows of the last tile that ran (where any did)
    if then is not None:
        more = builder.icmp_signed(">=", builder.sub(rows, done), ir.Constant(ty, then))
        with builder.if_then(more):
            call(_body(builder.module, *dts, then, nv, half), done)
        done = builder.select(more, builder.add(done, ir.Constant(ty, then)), done)
        fn, last = _body(builder.module, *dts, then, nv, half), then
    if nv == 1 and not masked:
        # one-vector tiles: two or more rows left, where the block's sums are not added to C
        # (the first block of K), K is at least OVERLAP_K and a tile of `last` rows ran, run as
        # one more such tile over the block's last rows, recomputing some with the same bits
        overlap = builder.and_(builder.and_(builder.icmp_signed(">=", builder.sub(rows, done), ir.Constant(ty, 2)),
                                            builder.icmp_signed(">=", done, ir.Constant(ty, last))),
                               builder.and_(builder.not_(flag), builder.icmp_signed(">=", K, ir.Constant(K.type, OVERLAP_K))))
        with builder.if_then(overlap):
            call(fn, builder.sub(rows, ir.Constant(ty, last)))
        done = builder.select(overlap, rows, done)
    fn = _body(builder.module, *dts, 1, nv, half, masked=masked)
    with cgutils.for_range(builder, rows, start=done) as loop:
        call(fn, loop.index)


#: Blocks of at least this many elements of K run the one-vector tiles' left-over rows as one
#: more tile over their last rows (:func:`_row_tiles`): a single row is one chain of dependent
#: multiply-adds, which the processor overlaps with the next rows' only where K is short.  In the
#: bench's three scenes (``asv_bench/records/2026-12-07-1952-narrow-overlap-ab.txt``): (208, 508, 5) . (208, 508, 22) as its
#: transpose (22 rows) 1.06-1.24x, (2000, 13, 64) . (2000, 64, 8) float32 1.19-1.56x,
#: (3000, 11, 64) . (3000, 64, 6) float64 0.95-0.99; with every K, (3000, 11, 32) . (3000, 32, 6)
#: float64 had lost 0.80-0.85 (``-1951-narrow-overlap-ab.txt``).
OVERLAP_K = 64


def _tall_tiles(mod, dts, m, then):
    """The rows of a block in one-vector tiles of ``m`` rows, then one of ``then`` rows where
    that many are left, then single rows (no fused multiply-adds, no prefetch): an LLVM
    function of ``mod`` taking the micro-kernel's arguments and the block's rows."""
    i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
    names = "_".join(_code(d) for d in dts)
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i64, i64, i8p, i64, i8p, i64, i64, i64, i64, ir.IntType(1), i64])
    fn, builder = _define(mod, fnty, f"batchdot_tall_{names}_{m}_{then}")
    if builder is not None:
        _row_tiles(builder, dts, fn.args[:11], fn.args[11], m, 1, then=then)
        builder.ret_void()
    return fn


def _body(mod, a_dtype, b_dtype, acc_dtype, mr, nv, half=False, fma=False, ahead=False, masked=False):
    """The micro-kernel as an LLVM function of ``mod`` (defined once per module); ``half``:
    vectors of half the register width; ``fma``: fused multiply-adds (float sums);
    ``ahead``: three more ``(i8*, lines)`` arguments, ranges of cache lines fetched while
    the tile runs, a line of each of the first two in each of the first K steps and one of
    the third in each of the last (a full tile over unit-stride rows of C only: the caller
    checks), then ``a_last``, ``b_last``, ``seen``, ``a_next`` and ``b_next`` (:func:`_shares`):
    where ``seen`` is not null, the lines of A's and B's ranges are read (from at most
    ``a_last``, ``b_last``), their largest magnitudes kept in ``seen[0]``, ``seen[1]``, and
    the lines ``a_next``, ``b_next`` bytes on prefetched; else prefetched."""
    ac, bc, oc = _code(a_dtype), _code(b_dtype), _code(acc_dtype)
    cc = _sum_code(oc)
    w = _tile_lanes(acc_dtype, half)
    fused = "_fma" if fma else ""
    pf = "_rn" if ahead else ""  # (_pf until the shares were read ahead: another signature)
    mk = "_m" if masked else ""
    name = f"batchdot_mk_{ac}_{bc}_{oc}_{mr}x{nv}_w{w}{fused}{pf}{mk}_c"  # _c: C loaded only when accumulating
    i1, i8, i64 = ir.IntType(1), ir.IntType(8), ir.IntType(64)
    i8p = i8.as_pointer()
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i64, i64, i8p, i64, i8p, i64, i64, i64, i64, i1]
                           + ([i8p, i64] * 3 + [i64, i64, ir.DoubleType().as_pointer(), i64, i64] if ahead else []))
    fn, builder = _define(mod, fnty, name)
    if builder is None:
        return fn
    abase, a_rs, a_cs, bbase, b_rs, cbase, c_rs, c_cs, K, nr, acc_flag = fn.args[:11]
    lines = list(zip(fn.args[11:17:2], fn.args[12:17:2]))
    lasts, seen, nexts = fn.args[17:19], (fn.args[19] if ahead else None), fn.args[20:22]
    item_a, item_b, item_c = a_dtype.itemsize, b_dtype.itemsize, acc_dtype.itemsize
    nr_max = nv * w
    floating = cc[0] == "f"
    a_ty, b_ty, c_ty, o_ty = _LL[ac], _LL[bc], _LL[cc], _LL[oc]
    bv_ty, cv_ty, ov_ty = ir.VectorType(b_ty, w), ir.VectorType(c_ty, w), ir.VectorType(o_ty, w)

    def narrow(val, vector=True):  # accumulator -> C's dtype
        return _convert(builder, val, cc, oc, ov_ty if vector else o_ty)

    def widen(val, vector=True):  # C's dtype -> accumulator
        return _convert(builder, val, oc, cc, cv_ty if vector else c_ty)
    lane_idx = ir.Constant(ir.VectorType(i64, w), list(range(w)))
    masks = [builder.icmp_signed("<", lane_idx, _splat(builder, builder.sub(nr, ir.Constant(i64, v * w)),
                                                          ir.VectorType(i64, w))) for v in range(nv)]
    zero = ir.Constant(cv_ty, [0.0 if floating else 0] * w)
    spill = builder.alloca(ir.ArrayType(o_ty, mr * nr_max))  # the tile, for stores to strided rows of C

    def mul(x, y):
        return builder.fmul(x, y) if floating else builder.mul(x, y)

    def add(x, y):
        return builder.fadd(x, y) if floating else builder.add(x, y)

    if fma:
        vn = _vname(c_ty, w)
        fma_fn = cgutils.get_or_insert_function(mod, ir.FunctionType(cv_ty, [cv_ty] * 3), f"llvm.fma.{vn}")

    def mul_add(acc, x, y):
        return builder.call(fma_fn, [x, y, acc]) if fma else add(acc, mul(x, y))

    def at(ptr, off):
        return builder.gep(ptr, [off])

    def const(n):
        return ir.Constant(i64, n)

    found = {}  # j -> (alloca of the vector of magnitudes read, its step), for float A (0) and B (1)
    if lines:
        reading = builder.icmp_unsigned("!=", seen, ir.Constant(seen.type, None))
        for j, dt in enumerate((a_dtype, b_dtype)):
            if _scanned(dt):
                start, step = _magnitude_step(builder, dt)
                found[j] = (cgutils.alloca_once_value(builder, start), step)
            else:  # absmax's constant bound, whatever the other operand's dtype
                with builder.if_then(reading):
                    _keep_largest(builder, ir.Constant(ir.DoubleType(), _constant_bound(dt)), seen, j)

    def fetch(j, ptr, k):  # line k of range j: read for its magnitudes or prefetched
        if j not in found:
            _prefetch(builder, at(ptr, builder.mul(k, const(64))))
            return
        acc, step = found[j]
        with builder.if_else(reading) as (read, prefetch):
            with read:
                _read_line(builder, acc, step, ptr, builder.mul(k, const(64)), lasts[j], nexts[j])
            with prefetch:
                _prefetch(builder, at(ptr, builder.mul(k, const(64))))

    def k_loop(full):
        """Accumulators after the K loop: ``mr x nv`` vectors."""
        pre, loop, done, k, accs = _open_loop(builder, K, mr, nv, cv_ty, zero, "done")
        bk = at(bbase, builder.mul(k, b_rs))
        bvec = []
        for v in range(nv):
            val = _vector_load(builder, at(bk, const(v * w * item_b)), bv_ty, item_b, None if full else masks[v])
            bvec.append(_convert(builder, val, bc, cc, cv_ty))
        ak = at(abase, builder.mul(k, a_cs))
        if lines:  # line k of A's and B's shares in the first K steps, of C's in the last
            (pa, na), (pb, nb), (pc, nc) = lines
            c_from = builder.sub(K, nc)
            first = builder.icmp_signed("<", k, builder.select(builder.icmp_signed(">", na, nb), na, nb))
            last = builder.icmp_signed(">=", k, c_from)
            with builder.if_then(builder.or_(first, last), likely=False):
                for j, (ptr, n) in enumerate(((pa, na), (pb, nb))):
                    with builder.if_then(builder.icmp_signed("<", k, n)):
                        fetch(j, ptr, k)
                with builder.if_then(last):
                    _prefetch(builder, at(pc, builder.mul(builder.sub(k, c_from), const(64))))
        new = []
        for r in range(mr):
            ap = builder.bitcast(at(ak, builder.mul(const(r), a_rs)), a_ty.as_pointer())
            av = _splat(builder, _convert(builder, builder.load(ap, align=item_a), ac, cc, c_ty), cv_ty)
            new.append([mul_add(accs[r][v], av, bvec[v]) for v in range(nv)])
        return _close_loop(builder, pre, k, const(1), accs, new, K, loop, done, zero)

    def store_contiguous(fin, full):
        """The tile to unit-stride rows of C: plain vector loads and stores for a full tile,
        masked ones of the columns below ``nr`` for a partial tile (:data:`MASKED_STORES`)."""
        ptrs = [[at(at(cbase, builder.mul(const(r), c_rs)), const(v * w * item_c)) for v in range(nv)]
                for r in range(mr)]
        mask = [None] * nv if full else masks
        with builder.if_else(acc_flag) as (adding, first):  # C is read only when added to
            with adding:
                for r in range(mr):
                    for v in range(nv):
                        old = widen(_vector_load(builder, ptrs[r][v], ov_ty, item_c, mask[v]))
                        _vector_store(builder, narrow(add(old, fin[r][v])), ptrs[r][v], item_c, mask[v])
            with first:
                for r in range(mr):
                    for v in range(nv):
                        _vector_store(builder, narrow(fin[r][v]), ptrs[r][v], item_c, mask[v])

    def store_strided(fin):
        """The whole tile into ``spill``, then the shared element store over its rows and the
        columns below ``nr`` (strided rows of C, and partial tiles)."""
        lanes_ptr = builder.bitcast(spill, o_ty.as_pointer())
        for r in range(mr):
            for v in range(nv):
                builder.store(narrow(fin[r][v]), builder.bitcast(builder.gep(lanes_ptr, [const((r * nv + v) * w)]),
                                                                 ov_ty.as_pointer()), align=item_c)
        builder.call(_strided_store(mod, oc, cc, acc_dtype.itemsize),
                     [cbase, c_rs, c_cs, lanes_ptr, const(mr), nr, const(nr_max), acc_flag])

    def tile(full):
        """The K loop, then the store: vector stores to contiguous rows of C (masked for a
        partial tile, the last columns, where :data:`MASKED_STORES`), else element by element
        through the shared store.  Without :data:`MASKED_STORES` partial tiles take the shared
        store: AVX2's masked vector stores measured slower than it on AMD
        (records/2026-12-02-0210-partial-tile-store.txt) and cost compile time."""
        fin = k_loop(full)
        if not (full or MASKED_STORES):
            store_strided(fin)
            return
        with builder.if_else(builder.icmp_signed("==", c_cs, const(item_c))) as (contiguous, strided):
            with contiguous:
                store_contiguous(fin, full)
            with strided:
                store_strided(fin)

    if lines:  # the prefetching micro-kernel: full tiles of unit-stride rows of C only (the caller's check)
        fin = k_loop(True)
        if found:
            with builder.if_then(reading):
                for j, (acc, _) in found.items():
                    _fold_largest(builder, builder.load(acc), seen, j)
        store_contiguous(fin, True)
        builder.ret_void()
        return fn
    if masked and MASKED_STORES:  # one body for full and partial tiles (half the code to compile)
        tile(False)
        builder.ret_void()
        return fn
    with builder.if_else(builder.icmp_signed("==", nr, const(nr_max))) as (full_tile, partial_tile):
        with full_tile:
            tile(True)
        with partial_tile:
            tile(False)
    builder.ret_void()
    return fn


def _strided_store(mod, oc, cc, item_c):
    """``store(c, c_rs, c_cs, src, rows, nr, ld, accumulate)``: ``rows x nr`` values of C's dtype
    (row ``i`` at ``src + i * ld``) written, or added, to C at byte strides ``c_rs``, ``c_cs``.

    One LLVM function per dtype pair and module, shared by every tile shape: an ``out``
    without unit-stride rows, and the last columns of a block (partial tiles).
    """
    o_ty, c_ty = _LL[oc], _LL[cc]
    i1, i64 = ir.IntType(1), ir.IntType(64)
    i8p = ir.IntType(8).as_pointer()
    name = f"batchdot_strided_store_{oc}_{cc}"
    fn, builder = _define(mod, ir.FunctionType(ir.VoidType(), [i8p, i64, i64, o_ty.as_pointer(), i64, i64, i64, i1]), name)
    if builder is None:
        return fn
    cbase, c_rs, c_cs, src, rows, nr, ld, acc_flag = fn.args
    floating = cc[0] == "f"
    with cgutils.for_range(builder, rows) as row_loop:
        i = row_loop.index
        row = builder.gep(cbase, [builder.mul(i, c_rs)])
        with cgutils.for_range(builder, nr) as col_loop:
            j = col_loop.index
            val = builder.load(builder.gep(src, [builder.add(builder.mul(i, ld), j)]))
            dst = builder.bitcast(builder.gep(row, [builder.mul(j, c_cs)]), o_ty.as_pointer())
            old = builder.load(dst, align=item_c)
            a, b = _convert(builder, old, oc, cc, c_ty), _convert(builder, val, oc, cc, c_ty)
            added = _convert(builder, builder.fadd(a, b) if floating else builder.add(a, b), cc, oc, o_ty)
            builder.store(builder.select(acc_flag, added, val), dst, align=item_c)
    builder.ret_void()
    return fn


def dot_unroll(n):
    """Vector partial sums per dot when ``n`` dots share loads: as many as half the registers hold.

    Enough to cover the add latency without spilling (4 x 4 accumulators spilled on AVX2).
    """
    return max(1, min(4, (REGISTERS // 2) // n))


@functools.cache
def dot_kernel(n):
    """The intrinsic ``dk`` computing ``n`` dot products that share the loads of ``A``.

    ``dk(a, a_off, b, b_off, b_rs, K, c, c_off, c_cs)``: for ``j < n``,
    ``C[j] = sum_k A[k] * B[j, k]``, where ``A`` (``K`` elements at ``a + a_off``) and each
    row of ``B`` (at ``b + b_off + j * b_rs``) are unit-stride, and ``C[j]`` is at
    ``c + c_off + j * c_cs`` (byte offsets and strides, runtime values).  Each dot keeps
    :func:`dot_unroll` vector partial sums (the last vectors masked), summed in a tree at
    the end; products and sums are separate instructions (IEEE as NumPy's).
    Dtypes as for :func:`block_kernel`: ``C``'s is the accumulation dtype; or complex ``A``,
    ``B`` and ``C`` of one dtype (:func:`_complex_dot_body`).
    """

    @intrinsic
    def dk(typingctx, a, a_off, b, b_off, b_rs, K, c, c_off, c_cs):
        complex_dots = isinstance(c.dtype, types.Complex) and a.dtype == b.dtype == c.dtype
        if not (complex_dots or isinstance(c.dtype, (types.Float, types.Integer))) or c.dtype == types.boolean:
            return None
        sig = types.void(a, a_off, b, b_off, b_rs, K, c, c_off, c_cs)

        def codegen(context, builder, sig, args):
            dts = _array_dtypes(sig, (0, 2, 6))
            fn = _complex_dot_body(builder.module, dts[2], n) if complex_dots else _dot_body(builder.module, *dts, n)
            builder.call(fn, _pointer_args(context, builder, sig, args))
            return context.get_dummy_value()

        return sig, codegen

    return dk


def _pointer_args(context, builder, sig, args):
    """A dot intrinsic's arguments as its LLVM body takes them: each array and the byte offset
    after it as one pointer (:func:`_data_at`), the other arguments as they are."""
    out, i = [], 0
    while i < len(args):
        if isinstance(sig.args[i], types.Array):
            out.append(_data_at(context, builder, args[i], sig.args[i], args[i + 1]))
            i += 2
        else:
            out.append(args[i])
            i += 1
    return out


@functools.cache
def dot_block_kernel(r, n):
    """The intrinsic ``dbk`` computing an ``r x n`` block of dots: rows ``i < r`` of ``A`` against
    rows ``j < n`` of ``B``, each vector load shared by ``n`` (of ``A``) or ``r`` (of ``B``) dots.

    ``dbk(a, a_off, a_rs, b, b_off, b_rs, K, c, c_off, c_rs, c_cs)``: ``C[i, j] = sum_k A[i, k]
    * B[j, k]`` with byte offsets and strides as :func:`dot_kernel`'s; real dtypes only (the
    complex dots keep :func:`dot_kernel`)."""

    @intrinsic
    def dbk(typingctx, a, a_off, a_rs, b, b_off, b_rs, K, c, c_off, c_rs, c_cs):
        if not isinstance(c.dtype, (types.Float, types.Integer)) or c.dtype == types.boolean:
            return None
        sig = types.void(a, a_off, a_rs, b, b_off, b_rs, K, c, c_off, c_rs, c_cs)

        def codegen(context, builder, sig, args):
            fn = _dot_body(builder.module, *_array_dtypes(sig, (0, 3, 7)), n, r)
            builder.call(fn, _pointer_args(context, builder, sig, args))
            return context.get_dummy_value()

        return sig, codegen

    return dbk


#: Shared-load dots (a power of two of them) sum their lanes together, in groups of up to
#: ``W`` (:func:`_joint_lane_sums`), instead of one dot at a time (:func:`_lane_sum`):
#: matrix-vector, q . k^T and vector-matrix products 0.96-1.24x idle, 0.99-1.09x with a core
#: busy (``asv_bench/records/2026-12-07-1241-dot-sums-ab-idle.txt``, ``-1241-dot-sums-ab-busy.txt``);
#: the 2 x 8 float64 blocks (16 dots, two groups; before 14:30 on 2026-12-07 each dot alone)
#: 1.01-1.07x on one thread in L2 (``-1431-dot-joint-groups-iso.txt``).
#: Single dots (``rowdot``) keep :func:`_lane_sum`, whose order ``halves.half_rows`` follows.
JOINT_SUMS = True


def _dot_body(mod, a_dtype, b_dtype, out_dtype, n, r=1):
    """The ``n`` shared-load dots as an LLVM function of ``mod`` (defined once per module); with
    ``r > 1``, ``r`` rows of ``A`` (``a_rs`` bytes apart) against the ``n`` rows of ``B``, each
    load shared by ``n`` or ``r`` dots, results ``c_rs`` bytes apart by row of ``A``
    (:func:`dot_block_kernel`)."""
    ac, bc, oc, cc, w = _body_codes(a_dtype, b_dtype, out_dtype)
    u = dot_unroll(n * r)
    joint = JOINT_SUMS and 2 <= n * r and (n * r) & (n * r - 1) == 0  # groups of up to w dots
    # _h: lanes summed by halves; _j: the dots' lanes summed together (_joint_lane_sums)
    name = f"batchdot_dot_{ac}_{bc}_{oc}_{n}_w{w}_{'j' if joint else 'h'}" + (f"_r{r}" if r > 1 else "")
    i8, i64 = ir.IntType(8), ir.IntType(64)
    i8p = i8.as_pointer()
    args = [i8p, i64, i8p, i64, i64, i8p, i64, i64] if r > 1 else [i8p, i8p, i64, i64, i8p, i64]
    fn, builder = _define(mod, ir.FunctionType(ir.VoidType(), args), name)
    if builder is None:
        return fn
    if r > 1:
        abase, a_rs, bbase, b_rs, K, cbase, c_rs, c_cs = fn.args
    else:
        (abase, bbase, b_rs, K, cbase, c_cs), a_rs, c_rs = fn.args, None, None
    item_a, item_b = a_dtype.itemsize, b_dtype.itemsize
    floating = cc[0] == "f"
    a_ty, b_ty, c_ty, o_ty = _LL[ac], _LL[bc], _LL[cc], _LL[oc]
    av_ty, bv_ty, cv_ty = ir.VectorType(a_ty, w), ir.VectorType(b_ty, w), ir.VectorType(c_ty, w)
    zero = ir.Constant(cv_ty, [0.0 if floating else 0] * w)

    def const(v):
        return ir.Constant(i64, v)

    def mul(x, y):
        return builder.fmul(x, y) if floating else builder.mul(x, y)

    def add(x, y):
        return builder.fadd(x, y) if floating else builder.add(x, y)

    def vload(base_ptr, k, item, vty, code, mask=None):
        val = _vector_load(builder, builder.gep(base_ptr, [builder.mul(k, const(item))]), vty, item, mask)
        return _convert(builder, val, code, cc, cv_ty)

    brows = [builder.gep(bbase, [builder.mul(const(j), b_rs)]) for j in range(n)]
    arows = [builder.gep(abase, [builder.mul(const(i), a_rs)]) for i in range(r)] if r > 1 else [abase]
    step = w * u
    full = builder.mul(builder.sdiv(K, const(step)), const(step))
    # main loop: u vectors of every dot per step
    # accumulators: row i of A against row j of B at index i * n + j
    pre, loop, tail, k, accs = _open_loop(builder, full, n * r, u, cv_ty, zero, "tail")
    new = [[None] * u for _ in range(n * r)]
    for q in range(u):
        kq = builder.add(k, const(q * w))
        avs = [vload(ap, kq, item_a, av_ty, ac) for ap in arows]
        for j in range(n):
            bv = vload(brows[j], kq, item_b, bv_ty, bc)
            for i, av in enumerate(avs):
                new[i * n + j][q] = add(accs[i * n + j][q], mul(av, bv))
    # tail: up to u vectors, the last ones masked (lanes past K read nothing)
    sums = _close_loop(builder, pre, k, const(step), accs, new, full, loop, tail, zero)

    def last_vectors(mask_of):  # up to u vectors, the last ones masked
        tails = [list(row) for row in sums]
        for q in range(u):
            kq = builder.add(full, const(q * w))
            mask = mask_of(kq)
            avs = [vload(ap, kq, item_a, av_ty, ac, mask) for ap in arows]
            for j in range(n):
                bv = vload(brows[j], kq, item_b, bv_ty, bc, mask)
                for i, av in enumerate(avs):
                    tails[i * n + j][q] = add(tails[i * n + j][q], mul(av, bv))
        return tails

    sums = _masked_tail(builder, K, full, w, sums, last_vectors)
    dots = [_tree_sum(sums[q], add) for q in range(n * r)]
    if joint:
        g = min(n * r, w)
        totals = [t for s in range(0, n * r, g) for t in _joint_lane_sums(builder, dots[s:s + g], add)]
    else:
        totals = [_lane_sum(builder, d, add) for d in dots]
    for i in range(r):
        crow = builder.gep(cbase, [builder.mul(const(i), c_rs)]) if r > 1 else cbase
        for j in range(n):
            out = _convert(builder, totals[i * n + j], cc, oc, o_ty)
            ptr = builder.bitcast(builder.gep(crow, [builder.mul(const(j), c_cs)]), o_ty.as_pointer())
            builder.store(out, ptr, align=out_dtype.itemsize)
    builder.ret_void()
    return fn


def _complex_dot_body(mod, dtype, n):
    """The ``n`` shared-load dots for complex ``A``, ``B`` and ``C`` of one ``dtype``, as an
    LLVM function of ``mod`` with :func:`_dot_body`'s arguments (``K`` in complex elements).

    The operands are read as runs of ``2K`` reals (re, im interleaved).  With ``x = a + ib``
    and ``y = c + id``, each dot keeps two vector sums: ``P += X * Y`` (lanes ``ac``, ``bd``)
    and ``Q += X * swap(Y)`` (lanes ``ad``, ``bc``; ``swap`` exchanges each pair's re and
    im); then ``re = sum(even lanes of P) - sum(odd lanes of P)`` and ``im = sum(Q)``: the
    products of NumPy's complex multiplication, separate from the sums (an overflowing
    product gives NumPy's inf or NaN; the real part's two sums are kept apart, as in the
    complex tiles).  The last vectors are masked.
    """
    real = np.dtype(f"f{dtype.itemsize // 2}")
    rc = _code(real)
    w = lanes(real)
    u = max(1, dot_unroll(n) // 2)
    name = f"batchdot_cdot_{rc}_{n}_w{w}"
    i8, i32, i64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
    i8p = i8.as_pointer()
    fn, builder = _define(mod, ir.FunctionType(ir.VoidType(), [i8p, i8p, i64, i64, i8p, i64]), name)
    if builder is None:
        return fn
    abase, bbase, b_rs, K, cbase, c_cs = fn.args
    item = real.itemsize
    f_ty = _LL[rc]
    vty = ir.VectorType(f_ty, w)
    zero = ir.Constant(vty, [0.0] * w)
    swap = ir.Constant(ir.VectorType(i32, w), [i ^ 1 for i in range(w)])

    def const(v):
        return ir.Constant(i64, v)

    def vload(base_ptr, k, mask=None):
        return _vector_load(builder, builder.gep(base_ptr, [builder.mul(k, const(item))]), vty, item, mask)

    def step(accs, k, brows, mask=None):
        """``accs[j] = (P, Q)`` lists of ``u`` vectors, updated with the ``u`` vectors from real ``k``."""
        out = [[list(p), list(q)] for p, q in accs]
        for v in range(u):
            kv = builder.add(k, const(v * w))
            m = None if mask is None else mask(kv)
            xv = vload(abase, kv, m)
            for j in range(n):
                yv = vload(brows[j], kv, m)
                out[j][0][v] = builder.fadd(out[j][0][v], builder.fmul(xv, yv))
                out[j][1][v] = builder.fadd(out[j][1][v], builder.fmul(xv, builder.shuffle_vector(yv, yv, swap)))
        return out

    L = builder.mul(K, const(2))  # reals
    brows = [builder.gep(bbase, [builder.mul(const(j), b_rs)]) for j in range(n)]
    span = w * u
    full = builder.mul(builder.sdiv(L, const(span)), const(span))
    pre, loop, tail, k, phis = _open_loop(builder, full, n, 2 * u, vty, zero, "tail")
    accs = [[phis[j][:u], phis[j][u:]] for j in range(n)]
    new = step(accs, k, brows)
    sums = _close_loop(builder, pre, k, const(span), phis, [p + q for p, q in new], full, loop, tail, zero)

    def last_vectors(mask_of):
        return [p + q for p, q in step([[row[:u], row[u:]] for row in sums], full, brows, mask_of)]

    sums = _masked_tail(builder, L, full, w, sums, last_vectors)
    sign = ir.Constant(vty, [1.0 if i % 2 == 0 else -1.0 for i in range(w)])
    for j in range(n):
        parts = [_tree_sum(vecs, builder.fadd) for vecs in (sums[j][:u], sums[j][u:])]
        re = _lane_sum(builder, builder.fmul(parts[0], sign), builder.fadd)  # exact: times +-1
        im = _lane_sum(builder, parts[1], builder.fadd)
        ptr = builder.bitcast(builder.gep(cbase, [builder.mul(const(j), c_cs)]), f_ty.as_pointer())
        builder.store(re, ptr, align=item)
        builder.store(im, builder.gep(ptr, [ir.Constant(i32, 1)]), align=item)
    builder.ret_void()
    return fn


@functools.cache
def cols_kernel(u):
    """The intrinsic ``ck`` computing up to ``u * W`` row dots of operands stored by columns.

    ``ck(a, a_off, a_ks, b, b_off, b_ks, K, c, c_off, c_bs, nb, accumulate)``: for ``i < nb``,
    ``C[i] = sum_k A[i, k] * B[i, k]``, where element ``(i, k)`` of ``A`` is at byte offset
    ``a_off + i * itemsize + k * a_ks`` (rows unit-stride apart: Fortran-ordered ``(B, K)``
    operands, e.g. a pandas frame's ``to_numpy()``), likewise ``B``, and ``C[i]`` at
    ``c_off + i * c_bs``; ``accumulate`` adds to ``C``.  Each vector of ``u`` holds ``W``
    consecutive rows and sums down the columns (no horizontal sums); the last vectors are
    masked.  Dtypes as for :func:`block_kernel` (``C``'s is the accumulation dtype; bool
    results are not taken); products and sums are separate instructions (IEEE as NumPy's).
    """

    @intrinsic
    def ck(typingctx, a, a_off, a_ks, b, b_off, b_ks, K, c, c_off, c_bs, nb, accumulate):
        if not isinstance(c.dtype, (types.Float, types.Integer)) or c.dtype == types.boolean:
            return None
        sig = types.void(a, a_off, a_ks, b, b_off, b_ks, K, c, c_off, c_bs, nb, accumulate)

        def codegen(context, builder, sig, args):
            a, a_off, a_ks, b, b_off, b_ks, K, c, c_off, c_bs, nb, acc = args
            dts = _array_dtypes(sig, (0, 3, 7))
            fn = _cols_body(builder.module, *dts, u)

            def base(arr, ty, off):
                return _data_at(context, builder, arr, ty, off)

            builder.call(fn, [base(a, sig.args[0], a_off), a_ks, base(b, sig.args[3], b_off), b_ks, K,
                              base(c, sig.args[7], c_off), c_bs, nb,
                              context.cast(builder, acc, sig.args[11], types.boolean)])
            return context.get_dummy_value()

        return sig, codegen

    return ck


def _cols_body(mod, a_dtype, b_dtype, out_dtype, u):
    """The column dots as an LLVM function of ``mod`` (defined once per module)."""
    ac, bc, oc, cc, w = _body_codes(a_dtype, b_dtype, out_dtype)
    name = f"batchdot_cols_{ac}_{bc}_{oc}_{u}_w{w}"
    i1, i8, i64 = ir.IntType(1), ir.IntType(8), ir.IntType(64)
    i8p = i8.as_pointer()
    fn, builder = _define(mod, ir.FunctionType(ir.VoidType(), [i8p, i64, i8p, i64, i64, i8p, i64, i64, i1]), name)
    if builder is None:
        return fn
    abase, a_ks, bbase, b_ks, K, cbase, c_bs, nb, acc_flag = fn.args
    item_a, item_b = a_dtype.itemsize, b_dtype.itemsize
    floating = cc[0] == "f"
    a_ty, b_ty, c_ty, o_ty = _LL[ac], _LL[bc], _LL[cc], _LL[oc]
    av_ty, bv_ty, cv_ty, ov_ty = (ir.VectorType(t, w) for t in (a_ty, b_ty, c_ty, o_ty))
    zero = ir.Constant(cv_ty, [0.0 if floating else 0] * w)
    lane_idx = ir.Constant(ir.VectorType(i64, w), list(range(w)))
    masks = [builder.icmp_signed("<", lane_idx, _splat(builder, builder.sub(nb, ir.Constant(i64, v * w)),
                                                          ir.VectorType(i64, w))) for v in range(u)]
    spill = builder.alloca(ir.ArrayType(o_ty, u * w))

    def const(v):
        return ir.Constant(i64, v)

    def load(base_ptr, v, item, vty, code, full):
        val = _vector_load(builder, builder.gep(base_ptr, [const(v * w * item)]), vty, item, None if full else masks[v])
        return _convert(builder, val, code, cc, cv_ty)

    def mul(x, y):
        return builder.fmul(x, y) if floating else builder.mul(x, y)

    def add(x, y):
        return builder.fadd(x, y) if floating else builder.add(x, y)

    def sums(full):
        pre, loop, done, k, accs = _open_loop(builder, K, 1, u, cv_ty, zero, "done")
        ak = builder.gep(abase, [builder.mul(k, a_ks)])
        bk = builder.gep(bbase, [builder.mul(k, b_ks)])
        new = [add(accs[0][v], mul(load(ak, v, item_a, av_ty, ac, full), load(bk, v, item_b, bv_ty, bc, full)))
               for v in range(u)]
        fin = _close_loop(builder, pre, k, const(1), accs, [new], K, loop, done, zero)[0]
        if full:  # unit-stride C (a C-ordered (B, 1) result): vector stores
            with builder.if_then(builder.icmp_signed("==", c_bs, const(out_dtype.itemsize))):
                for v in range(u):
                    ptr = builder.bitcast(builder.gep(cbase, [const(v * w * out_dtype.itemsize)]), ov_ty.as_pointer())
                    old = _convert(builder, builder.load(ptr, align=out_dtype.itemsize), oc, cc, cv_ty)
                    val = builder.select(acc_flag, add(old, fin[v]), fin[v])
                    builder.store(_convert(builder, val, cc, oc, ov_ty), ptr, align=out_dtype.itemsize)
                builder.ret_void()
        lanes_ptr = builder.bitcast(spill, o_ty.as_pointer())
        for v in range(u):
            builder.store(_convert(builder, fin[v], cc, oc, ov_ty),
                          builder.bitcast(builder.gep(lanes_ptr, [const(v * w)]), ov_ty.as_pointer()),
                          align=out_dtype.itemsize)
        builder.call(_strided_store(mod, oc, cc, out_dtype.itemsize),
                     [cbase, const(0), c_bs, lanes_ptr, const(1), nb, const(u * w), acc_flag])

    with builder.if_else(builder.icmp_signed("==", nb, const(u * w))) as (full_block, partial_block):
        with full_block:
            sums(True)
        with partial_block:
            sums(False)
    builder.ret_void()
    return fn


#: Row dots of at most ``short_k_max(W)`` elements whose rows lie end to end (``x`` and ``y``
#: of shape ``(B, K)``, C order) are summed ``W`` rows at a time by :func:`short_rows`.
SHORT_K_MAX = 8


def short_k_max(w):
    """The longest rows :func:`short_rows` sums for ``w`` lanes: :data:`SHORT_K_MAX` from 16
    lanes, else 6 (gathering each ``k`` of ``w`` rows takes about ``K / 2`` shuffles a vector)."""
    return SHORT_K_MAX if w >= 16 else 6


def _short_rows_typer(a, b, c):
    """Whether :func:`short_rows` (:func:`short_rows_one`) takes arrays ``a``, ``b``, ``c``: real
    operands, a real result."""
    return (all(isinstance(t.dtype, (types.Float, types.Integer, types.Boolean)) for t in (a, b))
            and isinstance(c.dtype, (types.Float, types.Integer)) and c.dtype != types.boolean)


def _short_rows_codegen(one):
    def codegen(context, builder, sig, args):
        fn = _short_rows_body(builder.module, *_array_dtypes(sig, (0, 2, 5)), one=one)
        builder.call(fn, _pointer_args(context, builder, sig, args))
        return context.get_dummy_value()

    return codegen


@intrinsic
def short_rows(typingctx, a, a_off, b, b_off, K, c, c_off, c_rs):
    """``W`` row dots of ``K`` elements (``2 <= K <= short_k_max(W)``) whose rows lie end to end.

    ``short_rows(a, a_off, b, b_off, K, c, c_off, c_rs)``: for ``r < W``,
    ``C[r] = sum_k A[r K + k] * B[r K + k]``, ``A`` and ``B`` the ``W K`` elements at byte
    offsets ``a_off``, ``b_off``, ``C[r]`` at ``c + c_off + r * c_rs``; ``W = lanes(C.dtype)``.
    Where the row dots (:func:`dot_kernel` of one dot) spend a masked load and a lane sum on
    each row, this loads ``K`` vectors of each operand, multiplies them, gathers each ``k``
    of the ``W`` rows into one vector (shuffles) and sums those: every row's sum in the same
    order as the single dot's (``+0`` added to each product first, then :func:`_lane_sum`'s
    halves over the ``K`` present lanes), so results are bit for bit the row dots'.  Dtypes
    as :func:`dot_kernel`'s, real only (conversion on load, bool operands as 0/1, integers
    wrap).
    """
    if not _short_rows_typer(a, b, c):
        return None
    return types.void(a, a_off, b, b_off, K, c, c_off, c_rs), _short_rows_codegen(False)


@intrinsic
def short_rows_one(typingctx, a, a_off, b, b_off, K, c, c_off, c_rs):
    """:func:`short_rows` against one row ``B`` of ``K`` elements: ``C[r] = sum_k A[r K + k] * B[k]``
    (``W`` rows of a matrix lying end to end times one vector, as a matrix-vector product over a
    short contracted axis), bit for bit the single dots' sums."""
    if not _short_rows_typer(a, b, c):
        return None
    return types.void(a, a_off, b, b_off, K, c, c_off, c_rs), _short_rows_codegen(True)


def _short_rows_body(mod, a_dtype, b_dtype, out_dtype, one=False):
    """:func:`short_rows` (``one``: :func:`short_rows_one`) as an LLVM function of ``mod``: a
    switch over ``K`` to one block per ``K`` in ``2 .. short_k_max(W)``."""
    ac, bc, oc, cc, w = _body_codes(a_dtype, b_dtype, out_dtype)
    name = f"batchdot_short_rows{'_one' if one else ''}_{ac}_{bc}_{oc}_w{w}"
    i8, i32, i64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
    i8p = i8.as_pointer()
    fn, builder = _define(mod, ir.FunctionType(ir.VoidType(), [i8p, i8p, i64, i8p, i64]), name)
    if builder is None:
        return fn
    abase, bbase, K, cbase, c_rs = fn.args
    floating = cc[0] == "f"
    a_ty, b_ty, c_ty, o_ty = _LL[ac], _LL[bc], _LL[cc], _LL[oc]

    def mul(x, y):
        return builder.fmul(x, y) if floating else builder.mul(x, y)

    def add(x, y):
        return builder.fadd(x, y) if floating else builder.add(x, y)

    store, done = fn.append_basic_block("store"), fn.append_basic_block("done")
    cases = {k: fn.append_basic_block(f"k{k}") for k in range(2, short_k_max(w) + 1)}
    switch = builder.switch(K, done)
    for k, block in cases.items():
        switch.add_case(ir.Constant(i64, k), block)
    totals = []  # (the sums of K, its block), for the store's phi
    for k, block in cases.items():
        builder.position_at_end(block)
        n = w * k
        wide_c = ir.VectorType(c_ty, n)
        av = builder.load(builder.bitcast(abase, ir.VectorType(a_ty, n).as_pointer()), align=a_dtype.itemsize)
        if one:  # the row's K elements, repeated for each of the W rows
            bv = builder.load(builder.bitcast(bbase, ir.VectorType(b_ty, k).as_pointer()), align=b_dtype.itemsize)
            bv = builder.shuffle_vector(bv, bv, ir.Constant(ir.VectorType(i32, n), [j % k for j in range(n)]))
        else:
            bv = builder.load(builder.bitcast(bbase, ir.VectorType(b_ty, n).as_pointer()), align=b_dtype.itemsize)
        prod = mul(_convert(builder, av, ac, cc, wide_c), _convert(builder, bv, bc, cc, wide_c))
        # lane j of the single dot: +0 + product j (its accumulators start at +0), absent past K
        zero = ir.Constant(ir.VectorType(c_ty, w), [0.0 if floating else 0] * w)
        lanes_ = {}
        for j in range(k):
            q = builder.shuffle_vector(prod, prod, ir.Constant(ir.VectorType(i32, w), [r * k + j for r in range(w)]))
            lanes_[j] = add(zero, q) if floating else q
        s = w  # _lane_sum's halves: lane i + lane i + s/2, absent lanes adding nothing
        while s > 1:
            h = s // 2
            for i in range(h):
                lo, hi = lanes_.pop(i, None), lanes_.pop(i + h, None)
                if lo is not None and hi is not None:
                    lanes_[i] = add(lo, hi)
                elif lo is not None or hi is not None:
                    lanes_[i] = lo if lo is not None else hi
            s = h
        totals.append((_convert(builder, lanes_[0], cc, oc, ir.VectorType(o_ty, w)), builder.basic_block))
        builder.branch(store)
    # every K's sums stored by one block: one vector where C's rows are adjacent, else element by element
    builder.position_at_end(store)
    total = builder.phi(ir.VectorType(o_ty, w))
    for value, block in totals:
        total.add_incoming(value, block)
    vec_store, el_store = fn.append_basic_block("vector"), fn.append_basic_block("elements")
    builder.cbranch(builder.icmp_signed("==", c_rs, ir.Constant(i64, out_dtype.itemsize)), vec_store, el_store)
    builder.position_at_end(vec_store)
    builder.store(total, builder.bitcast(cbase, ir.VectorType(o_ty, w).as_pointer()), align=out_dtype.itemsize)
    builder.branch(done)
    builder.position_at_end(el_store)
    for r in range(w):
        ptr = builder.bitcast(builder.gep(cbase, [builder.mul(ir.Constant(i64, r), c_rs)]), o_ty.as_pointer())
        builder.store(builder.extract_element(total, ir.Constant(i32, r)), ptr, align=out_dtype.itemsize)
    builder.branch(done)
    builder.position_at_end(done)
    builder.ret_void()
    return fn
