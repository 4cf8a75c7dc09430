"""The CPU engine: contraction plans run by Numba kernels.  Imported on the first CPU call.

Everything the engine decides, each in one module:

- :mod:`~batchdot.cpu.choose` — which kernel family, and whether a product runs as its transpose or
  split along a free axis rather than copying an operand (pure functions of B, M, K, N, dtypes, strides);
- :mod:`~batchdot.cpu.policy` — how many threads each call runs on (busy cores, BLAS threads,
  fork, threading layers, caps);
- :mod:`~batchdot.cpu.kernels`, :mod:`~batchdot.cpu.dots`, :mod:`~batchdot.cpu.tiles` — the kernels,
  which know nothing of axes: canonical ``(B, M, K) x (B, K, N) -> (B, M, N)`` strided views;
- :mod:`~batchdot.cpu.chunks` — the one parallel driver, which runs any kernel's work items
  on Numba's threads (compiled once for every family and dtype);
- :mod:`~batchdot.cpu.verify` — the first-build check of every generated kernel;
- :mod:`~batchdot.cpu.jit` — JIT options, compiling for a call, and calls by symbol (the
  parallel driver's entries and ``@njit`` callers to :mod:`~batchdot.cpu.njit_entry` and the kernels).

The API (``batchdot._api``) calls :func:`runner` (a reusable callable for one call layout)
and :func:`execute` (the uncached ``out=`` path); nothing else.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import math
from typing import NamedTuple

import numpy as np

from .._dtypes import accumulation_dtype, kernel_dtype
from .._plan import _merge_strides, check_out, merge_group
from . import choose, halves, jit, policy, tiles
from .chunks import Chunked, compile_driver
from .choose import KERNELS, by_columns, choose_kernel, dtype_class, l2_bytes, needs_staging, no_column_kernel
from .halves import convert, convert_into
from .jit import compile_for
from .kernels import VARIANTS, family_kernels, largest_magnitude, tiny_complex_products, tiny_products, transposed_copy, work_items
from .kernels import variant as span_variant
from .verify import verify

__all__ = ["runner", "execute", "prepare", "prepare_out", "precompile"]

log = logging.getLogger("batchdot")

#: (family, acc dtype, layouts of the three arrays) -> prepare's result; cleared past max.
_PREPARED = {}
_PREPARED_MAX = 4096


def prepare_out(out, p, out_dtype):
    """``out`` checked against the plan: an ndarray of the result shape and dtype, writeable."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"batch_dot requires out to be a numpy.ndarray, got {type(out).__name__}")
    check_out(out, p, out_dtype)
    if not out.flags.writeable:
        raise ValueError("batch_dot requires a writeable out, got a read-only array")
    return out


def _kernel_operand(a):
    """``a`` in a dtype the kernels take: native byte order, float16 widened (copies)."""
    kd = kernel_dtype(a.dtype)
    return a if kd == a.dtype else convert(a, kd)


def _blas(x3, y3, out3):
    """``np.matmul``, a group of batch elements at a time, where no product can overflow.

    BLAS fuses multiply-adds, so an overflowing product can be summed to a finite value or to
    ``inf`` where NumPy's ``(x * y).sum()`` gives ``inf`` or NaN (``inf - inf``).  Before each
    group's ``np.matmul``, its operands' largest magnitudes bound every product and partial
    sum (``K max|x| max|y|``; complex: ``2K`` times those of their real and imaginary parts,
    which every real part of a product sums): a group whose bound passes half the dtype's
    largest finite value (rounding margin), or that holds NaN or inf, is computed by the tiles
    (no fused multiply-adds) instead, as the tiles decide their own fusing.  A group's operands
    are read once for the bound and are then in cache for the product: as fast as the former
    check of the whole result for NaN and inf (``asv_bench/records/2026-12-02-1018-blas-checks.txt``;
    the bound was a 2-norm by BLAS dots until 2026-12-07, which ran on OpenBLAS's threads).
    No warnings, as from the tiles.
    Operands of other real dtypes than ``out3``'s (:func:`.choose.cast_for_blas`) are cast a
    group at a time (:func:`_groups`), so the cast group is still in cache for the bound and
    the product.
    """
    half = float(np.finfo(out3.dtype).max) / 2
    terms = x3.shape[2] * (2 if out3.dtype.kind == "c" else 1)  # real products each real of out sums
    for xs, ys, os in _groups(x3, y3, out3, np.empty):
        if _magnitude(xs) * _magnitude(ys) * terms <= half:  # a Python float: no warnings
            with np.errstate(over="ignore", invalid="ignore"):  # bounded: only a BLAS's false flags (numpy#24067)
                np.matmul(xs, ys, out=os)
        else:
            execute(xs, ys, os, os.dtype, "tile")


def _groups(x3, y3, out3, empty):
    """``(xs, ys, os)``: groups of batch elements of about twice the L2 cache (one group where
    a group would touch every element's memory, :func:`_compact_elements`), operands of other
    dtypes than ``out3``'s cast into one reused buffer each, allocated by ``empty``."""
    od = out3.dtype
    B = x3.shape[0]
    step = max(1, (2 * l2_bytes()) // max(1, (x3.shape[1] * x3.shape[2] + y3.shape[1] * y3.shape[2]) * od.itemsize))
    if 0 < B <= step and x3.dtype == od and y3.dtype == od:  # one group, nothing to cast (small BLAS calls: 2-3 us less)
        yield x3, y3, out3
        return
    if not (_compact_elements(x3) and _compact_elements(y3)):
        step = B  # a group would touch every batch element's memory: one group
    bufs = [empty((min(step, a.shape[0]),) + a.shape[1:], od) if a.dtype != od else None for a in (x3, y3)]
    for lo in range(0, B, step):
        xs, ys, os = x3[lo:lo + step], y3[lo:lo + step], out3[lo:lo + step]
        if bufs[0] is not None:
            xs = _cast_into(bufs[0], xs)
        if bufs[1] is not None:
            ys = _cast_into(bufs[1], ys)
        yield xs, ys, os


def _compact_elements(a):
    """Whether a group of batch elements of ``a`` (``(B, R, C)``) is read from a memory region
    of its own size: each element in a region of its own (its batch stride spans a whole
    element, as in C order or sliced batches) or all of them the same (a broadcast batch axis).
    Not for a batch axis that is the fastest (a Fortran-ordered stack): there every element
    spans the whole operand."""
    s0 = a.strides[0]
    return a.shape[0] <= 1 or s0 == 0 or abs(s0) >= a.itemsize * a.shape[1] * a.shape[2]


def _cast_into(buf, a):
    """``a`` cast into the first ``len(a)`` elements of ``buf`` (a view of them), without
    NumPy's warnings (float64 values beyond float32's range become inf, as the tiles'
    convert-on-load makes them)."""
    view = buf[: a.shape[0]]
    with np.errstate(over="ignore", invalid="ignore"):
        np.copyto(view, a)
    return view


def _blas_or_tiles(x3, y3, out3):
    """``blas`` as the automatic choice: :func:`_blas`, or the tiles (under the parallel policy,
    which runs them serially there) while other processes keep a core busy
    (:func:`policy.others_busy`): BLAS splits a product evenly between its threads, so each
    call waits for the busy core, 2-6x longer than on one thread
    (``asv_bench/records/2026-12-02-1022-blas-rule-scenes.txt``).  Complex products stay on
    BLAS: their tiles run a third of ``cgemm``/``zgemm``'s speed, more than the busy core costs
    BLAS (complex128 16 x 512^3, one core busy: 1.17 s on the tiles, 0.45 s ``np.matmul``;
    ``asv_bench/records/2026-12-06-1039-complex-blas-ab.txt``), and so do Fortran-ordered
    stacks (:func:`_compact_elements`), which the tiles read an element per cache line
    (16 x 512^3 float64 with a core busy: 0.32 of ``np.matmul`` on the tiles,
    ``asv_bench/records/2026-12-06-1424-fortran-blas-ab.txt``), and products whose ``y`` the tiles
    would copy first (rows not unit-stride: ``y`` stored transposed) where a batch element of
    ``y`` exceeds L2; smaller ones are copied for the tiles (:func:`.choose.tiles_copy_y_when_busy`).
    ``kernel='blas'`` is always BLAS.
    Operands of other dtypes than the result (:func:`.choose.cast_for_blas`) reach the tiles
    cast a group of batch elements at a time as for BLAS (:func:`_groups`), into buffers whose
    rows start on cache lines (:func:`lined_empty`): 1.41-1.71x
    the tiles' convert-on-load with a core busy (``asv_bench/records/2026-12-06-1905-aligned-mixed-ab.txt``).
    """
    if (out3.dtype.kind != "c" and _compact_elements(x3) and _compact_elements(y3)
            and choose.tiles_copy_y_when_busy(_needs_staging("tile", x3, y3, out3.dtype)[1],
                                              y3[0].size * y3.itemsize, l2_bytes())
            and policy.others_busy()):
        log.debug("blas -> tile: other processes keep a core busy")
        policy.state.to_tiles += 1
        if x3.dtype == out3.dtype and y3.dtype == out3.dtype:
            execute(x3, y3, out3, out3.dtype, "tile")
        else:  # cast a group at a time as for BLAS: the tiles then read one dtype, on cache lines
            for xs, ys, os in _groups(x3, y3, out3, lined_empty):
                execute(xs, ys, os, out3.dtype, "tile")
    else:
        _blas(x3, y3, out3)


def _magnitude(a):
    """The largest magnitude of ``a``'s reals (of its real and imaginary parts for complex
    ``a``), or an upper bound of it; NaN or inf where ``a`` holds NaN or inf.

    An ``a`` whose elements fill their memory in some order of its axes (C- or Fortran-ordered,
    or a transposed view of such an array, as ``y`` of q · kᵀ) is read as that memory (its real
    view for complex ``a``) by :func:`.kernels.largest_magnitude` on this thread (exact), or
    by one BLAS dot (its 2-norm) where Numba's JIT is disabled.  BLAS's dot runs on its own
    threads, which wait for a core that another process keeps busy (a scheduler tick, 4 ms, per
    dot) and read cached memory at half the speed.  Other ``a``: the largest of the parts'
    ``max()`` and ``-min()``."""
    if not a.flags.c_contiguous:
        a = a.transpose(sorted(range(a.ndim), key=lambda i: -abs(a.strides[i])))
    if a.flags.c_contiguous:
        v = a.reshape(-1)
        if v.dtype.kind == "c":
            v = v.view(v.real.dtype)
        if jit.DISABLED:
            return math.sqrt(float(np.dot(v, v)))
        return _largest(v)
    if not a.size:
        return 0.0
    parts = (a.real, a.imag) if a.dtype.kind == "c" else (a,)
    return float(np.max([m for p in parts for m in (p.max(), -p.min())]))  # NaN kept (Python's max drops it)


def _largest(v):
    """:func:`.kernels.largest_magnitude` for any 1-D unit-stride float ``v`` (compiled once
    per dtype for every alignment and writeability)."""
    fn = _LARGEST_OF.get(v.dtype)
    if fn is None:
        fn = _LARGEST_OF[v.dtype] = compile_for(largest_magnitude, (v,), general=True, outputs=())
    return fn(v)


_LARGEST_OF = {}


def stage(a, order=None):
    """A C-ordered copy of ``a.transpose(order)``: an operand whose axes the kernels cannot
    read in place.

    NumPy copies a strided array one innermost run at a time, at about 5-6 ns a run whatever
    its length: squash's ``y`` ((64, 12, 5, 8) read as (64, 5, 12, 8), runs of 8 elements)
    took 19-25 us of a 70-90 us call (``asv_bench/records/2026-12-06-1818-stage-copy-times.txt``).  Where ``order`` moves whole rows of a C-ordered ``a``
    (:func:`_row_order`), the copy is ``np.take`` of those rows (7 us there), and so where ``a``
    is an axis permutation of a C-ordered array (:func:`_in_memory_order`: a ``swapaxes``
    view of 308k rows of 40 bytes, 2.4-2.7 ms against NumPy's 4.0-6.9); else NumPy's copy.
    The copy is allocated as a result is (:func:`result_allocator`: on a cache line where
    large, for the kernels' vector loads; squash's then 9 us,
    ``asv_bench/records/2026-12-06-1958-stage-copy-times-aligned.txt``).
    (A parallel copy kernel, and a compiled byte-run copy, were measured faster too, but each
    was one more function to compile: ``asv_bench/records/2026-12-06-1713-stage-runs-ab.txt``.)
    """
    t = a if order is None else a.transpose(order)
    copy = result_allocator(t.shape, t.dtype)(t.shape, t.dtype)  # on a cache line where large
    flipped = _flipped(t)
    if flipped is not None:  # (bits as unsigned integers: any dtype and byte order of its item size)
        bits = np.dtype(f"u{t.itemsize}")
        transposed_copy(flipped.view(bits), copy.reshape(flipped.shape).view(bits))
        return copy
    a, order = _in_memory_order(a, order)
    rows = _row_order(a, order)
    if rows is None:
        np.copyto(copy, t)
        return copy
    idx, width = rows
    np.take(a.reshape(-1, width), idx, axis=0, out=copy.reshape(-1, width), mode="clip")  # (raise: buffered)
    return copy


#: Copies of at least this many bytes of an operand stored transposed take
#: :func:`.kernels.transposed_copy` (:func:`stage`), smaller ones NumPy's copy: into new memory
#: on one thread, 1.11-2.90x NumPy's from 0.5 MB, 0.72-0.89 at 0.25-0.32 MB (its call costs
#: more) (``asv_bench/records/2026-12-08-0050-stage-transposed.txt``).
FLIP_FROM = 1 << 19


def _flipped(t):
    """``t`` (an operand to copy in C order, rank 3 or more) as a ``(B, R, C)`` view whose axis 1
    is unit-stride and axis 2 is not, where it is one (``y`` stored ``(B, N, K)`` read as ``(B,
    K, N)``, the rows of the tiles' ``y``; the trailing axes merged into ``C``): what
    :func:`.kernels.transposed_copy` copies; else None (NumPy copies such a view an element at
    a time: :data:`FLIP_FROM`)."""
    if t.ndim < 3 or t.nbytes < FLIP_FROM or t.dtype.kind not in "biufc" or t.dtype.itemsize > 8:
        return None
    B, R = t.shape[:2]
    count, stride, merges = merge_group(t.shape, t.strides, range(t.ndim), 2, t.ndim)
    if not merges or R < 2 or count < 2 or t.strides[1] != t.itemsize or stride == t.itemsize:
        return None
    return np.lib.stride_tricks.as_strided(t, (B, R, count), (t.strides[0], t.itemsize, stride), writeable=False)


#: Row orders of :func:`_row_order` (outer shape, permutation) -> indices; cleared past the budget.
_ROW_ORDERS = {}
_ROW_ORDERS_BYTES = [0, 16 << 20]  # held, budget
#: Rows of at most this many bytes, and at least this many of them, take :func:`stage`'s ``np.take``;
#: rows that are not 32-byte pieces (:func:`_row_order`) only up to ``WHOLE_ROW_BYTES`` (a
#: ``memmove`` each), set on a terminal run (2196 rows of 168 bytes: 32 us by ``take`` against
#: 24-25 by NumPy's copy) that later runs did not repeat: ``take`` 22 us against 27
#: (`asv_bench/records/2026-12-07-0110-take-or-copy-rows.txt`), ``stage`` with this bound
#: against without it 0.94-1.13, level (`-0110-stage-row-bytes-ab.txt`).  308k rows of 40
#: bytes: 2.4-2.7 ms against 4.0-6.9 (`-0004-stage-permuted-views.txt`).
ROW_BYTES, MIN_ROWS, WHOLE_ROW_BYTES = 256, 64, 64


def _in_memory_order(a, order):
    """``(base, order')`` with ``base.transpose(order')`` the same view as ``a.transpose(order)``
    and ``base`` C-ordered, where ``a`` is an axis permutation of a C-ordered array (a
    transposed or ``swapaxes`` view: ``y`` stored ``(B, N1, K, N2)`` read as ``(B, K, N1,
    N2)``) whose rows :func:`_row_order` could take; else ``(a, order)``."""
    nd = a.ndim
    order = tuple(range(nd)) if order is None else tuple(order)
    if (nd < 3 or a.flags.c_contiguous or a.strides[order[-1]] != a.itemsize
            or not _rows_taken(a.shape[order[-1]] * a.itemsize)):
        return a, order
    perm = sorted(range(nd), key=lambda i: -a.strides[i])
    base = a.transpose(perm)
    if not base.flags.c_contiguous:  # gaps or negative strides: not one C-ordered run of memory
        return a, order
    where = {ax: i for i, ax in enumerate(perm)}
    return base, tuple(where[o] for o in order)


def _rows_taken(row):
    """Whether rows of ``row`` bytes may be copied by ``np.take`` (:func:`stage`): up to
    :data:`ROW_BYTES`, and beyond :data:`WHOLE_ROW_BYTES` only as 32-byte pieces."""
    return row <= ROW_BYTES and (row <= WHOLE_ROW_BYTES or row % 32 == 0)


def _row_order(a, order):
    """``(idx, width)``: row indices of ``a.reshape(-1, width)`` (a view: ``a``'s rows are
    unit-stride and its other axes merge into one) in the C order of ``a.transpose(order)``,
    for an ``order`` that keeps the last axis last and moves the others; None where that does
    not hold or the rows are few or long.  Contiguous rows of a multiple of 32 bytes are taken
    as 32-byte pieces (``width`` elements each): NumPy's ``take`` copies pieces of up to 32
    bytes with its own loops, longer ones with a ``memmove`` each (3840 rows of 64 bytes: 18.6 us
    whole against 7.2 us as pieces, ``-1818-stage-copy-times.txt``)."""
    nd = a.ndim
    if order is None or nd < 3 or order[-1] != nd - 1 or tuple(order) == tuple(range(nd)):
        return None
    row = a.shape[-1] * a.itemsize
    if a.strides[-1] != a.itemsize or not _rows_taken(row):
        return None
    outer = a.shape[:-1]
    count, stride, merges = merge_group(a.shape, a.strides, range(nd), 0, nd - 1)  # the rows' count and stride
    if not merges or count < MIN_ROWS:
        return None
    pieces = row // 32 if row > 32 and row % 32 == 0 and stride == row else 1
    if pieces == 1 and row > WHOLE_ROW_BYTES:  # a memmove a row: NumPy's copy is quicker
        return None
    key = (outer, tuple(order[:-1]), pieces)
    idx = _ROW_ORDERS.get(key)
    if idx is None:
        idx = np.arange(count, dtype=np.intp).reshape(outer).transpose(order[:-1]).ravel()
        if pieces > 1:
            idx = (idx[:, None] * pieces + np.arange(pieces)).ravel()
        if _ROW_ORDERS_BYTES[0] + idx.nbytes > _ROW_ORDERS_BYTES[1]:
            _ROW_ORDERS.clear()
            _ROW_ORDERS_BYTES[0] = 0
        _ROW_ORDERS[key] = idx
        _ROW_ORDERS_BYTES[0] += idx.nbytes
    return idx, a.shape[-1] // pieces


def _layout(a):
    """What a compiled entry point and the split depend on: shape, strides, dtype, flags."""
    return a.shape, a.strides, a.dtype, a.flags.num


def prepare(family, x3, yk, out3, acc_dtype, forced=False):
    """``(fn, tail)`` such that ``fn(x3, yk, out3, *tail)`` runs the family on such arrays.

    Cached per family, accumulation dtype and the arrays' shapes, strides, dtypes and flags.
    ``forced``: the family comes from ``kernel=`` (``blas`` then never hands over to the tiles).

    ``yk`` is the kernel's own ``y``: ``(B, K, N)``, or ``(B, N, K)`` for ``dot``; for
    ``rowdot`` the operands are rank-2 ``(B, K)`` and ``out3`` is ``(B, 1)``.  The kernel is
    compiled and verified once for these dtypes and ranks, for every layout, and ``fn`` calls
    its compiled entry points: it must be called with arrays of the same dtypes and ranks.  Work below :data:`policy.SERIAL_CUTOFF` multiply-adds runs the
    serial span directly; larger work goes through :func:`policy.run`, which picks the threads
    per call.  ``blas`` is ``np.matmul``.
    """
    if family == "blas":
        return (_blas if forced else _blas_or_tiles), ()
    handover = family == "tile" and not forced  # only the automatic tiles may hand over to BLAS
    key = (family, acc_dtype, _layout(x3), _layout(yk), _layout(out3), handover)
    got = _PREPARED.get(key)
    if got is None:
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()
        got = _PREPARED[key] = _prepare(family, x3, yk, out3, acc_dtype, handover)
    return got


def _prepare(family, x3, yk, out3, acc_dtype, handover=False):
    if family == "rowdot":
        (B, K), M, N = x3.shape, 1, 1
    else:
        B, M, K = x3.shape
        N = out3.shape[2]
    zero = acc_dtype.type(0)
    # another span of the family (compiled only where used): the dots' short rows, the tiles'
    # sweeps and few-row tiles
    variant = span_variant(family, x3, yk, out3)
    span = family_kernels(family, out3.dtype, variant)
    items = work_items(family, B, M, N)
    madds = B * M * N * K
    span_entry = compile_for(span, (x3, yk, out3, zero, 0, items), general=True)
    if family != "generic" and not verify(family, span_entry, False, x3, yk, out3, zero, variant):
        return _fallback(family, x3, yk, out3, acc_dtype)
    log.debug("%s B=%d M=%d K=%d N=%d", family, B, M, K, N)
    if madds < policy.SERIAL_CUTOFF or items < 2 or jit.DISABLED:
        return span_entry, (zero, 0, items)
    # one-element arrays of the operands' dtypes and ranks stand for them when the parallel
    # driver is built (holding x3 itself would keep the first call's data alive in the cache)
    like = tuple(np.zeros((1,) * a.ndim, a.dtype) for a in (x3, yk, out3)) + (zero,)
    cls = dtype_class(x3.dtype, yk.dtype, out3.dtype, acc_dtype)
    blas = _blas if handover and choose.blas_handover(cls, M, N, K) else None
    return _Parallel(family, span_entry, span, items, madds, like, blas, variant), (zero,)


class _Parallel:
    """A kernel that may run in parallel: the policy picks the threads of every call.

    The parallel entry (:class:`.chunks.Chunked`: the span under the engine's one parallel
    driver, which is compiled once for every family and dtype) is built and verified on the
    second call: a first call costs only the serial kernel.  :func:`precompile` builds both.
    """

    def __init__(self, family, span, dispatcher, items, madds, like, blas=None, variant=""):
        self.family, self.span, self.items, self.madds = family, span, items, madds
        self.variant = variant  # the family's second span (verified apart)
        self.blas = blas  # computes the call while the policy finds its own process contending
        self.dispatcher = dispatcher  # the span's Numba dispatcher; None once it failed in parallel
        self.like = like  # arrays of the kernel's dtypes and ranks (see _prepare)
        self.entry = None  # verified parallel entry
        self.calls = 0

    def build(self):
        x3, yk, out3, zero = self.like
        entry = parallel_entry(self.family, self.dispatcher, self.like)
        if self.family == "generic" or verify(self.family, entry, True, x3, yk, out3, zero, self.variant):
            self.entry = entry
        else:  # never used: the serial kernel (verified) serves every call
            self.dispatcher = None

    def __call__(self, x, y, out, zero):
        if self.entry is None:
            self.calls += 1
            if self.calls < 2 or self.dispatcher is None or policy.state.forked or policy.serial_here():
                self.span(x, y, out, zero, 0, self.items)
                return
            self.build()
            if self.entry is None:
                self.span(x, y, out, zero, 0, self.items)
                return
        policy.run(self.span, self.entry, self.items, self.madds, x, y, out, zero, self.blas)


def parallel_entry(family, span, like):
    """``entry(x, y, out, zero, nchunks, nthreads)`` running ``span`` (a family's dispatcher) on
    Numba's threads, for arrays of the dtypes and ranks of ``like`` (``x, y, out, zero``)."""
    def count(out):
        return work_items(family, out.shape[0], out.shape[1], out.shape[-1] if out.ndim == 3 else 1)

    return Chunked(span, like, count)


def _fallback(family, x3, yk, out3, acc_dtype):
    """The generic kernel in place of a generated one that failed verification."""
    if family == "rowdot":  # the generic kernel on rank-3 views of the same arrays
        fn, tail = prepare("generic", x3[:, None, :], yk[:, :, None], out3[:, :, None], acc_dtype)
        return (lambda x, y, out, *t: fn(x[:, None, :], y[:, :, None], out[:, :, None], *t)), tail
    if family == "dot":  # the generic kernel takes y as (B, K, N)
        fn, tail = prepare("generic", x3, yk.transpose(0, 2, 1), out3, acc_dtype)
        return (lambda x, y, out, *t: fn(x, y.transpose(0, 2, 1), out, *t)), tail
    return prepare("generic", x3, yk, out3, acc_dtype)


def _needs_staging(family, xk, yk, out_dtype, columns=False):
    """:func:`choose.needs_staging` for the family's own operands ``xk`` and ``yk`` and a result
    of ``out_dtype``; ``dot`` reads vector-matrix products of operands stored by columns in
    place (``dots.dot_span``)."""
    if family == "dot" and xk.shape[1] == 1:
        columns = by_columns(xk.shape[2], xk.strides[0], xk.strides[2], xk.itemsize, yk.strides[0], yk.strides[2],
                             yk.itemsize, no_column_kernel(out_dtype))
    if _packs(family, yk, out_dtype):  # read in place, a block at a time
        return False, False
    return needs_staging(KERNELS.index(family), xk.shape[-1], xk.strides[-1], xk.itemsize,
                         yk.shape[-1], yk.strides[-1], yk.itemsize, columns)


def _packs(family, yk, out_dtype):
    """Whether the tiles read ``yk`` (stored ``(B, N, K)``) in place, a block at a time
    (:func:`.tiles.packs`), where they would copy it whole (:func:`stage`) or realign it
    (:func:`realigns`)."""
    return family == "tile" and tiles.packs(yk, out_dtype)


def _choose(B, M, K, N, x3, y3, out_dtype, acc_dtype, kernel, rank2=False, shown=None):
    """:func:`choose.choose_kernel`; ``generic`` when Numba's JIT is disabled (:data:`jit.DISABLED`)."""
    family = choose_kernel(B, M, K, N, x3, y3, out_dtype, acc_dtype, kernel, rank2, shown)
    return "generic" if jit.DISABLED and family != "blas" else family


def execute(x3, y3, out3, acc_dtype, kernel=None):
    """Choose, prepare and run a kernel on canonical views; ``out3`` is writeable ``(B, M, N)``."""
    B, M, K = x3.shape
    N = y3.shape[2]
    family = _choose(B, M, K, N, x3, y3, out3.dtype, acc_dtype, kernel)
    yk = y3.transpose(0, 2, 1) if family == "dot" else y3
    stage_x, stage_y = _needs_staging(family, x3, yk, out3.dtype)
    x3 = stage(x3) if stage_x else x3
    yk = stage(yk) if stage_y else yk
    if realigns(family, M, K, N, yk.itemsize, stage_y or _packs(family, yk, out3.dtype)):
        yk = lined(yk)
    fn, tail = prepare(family, x3, yk, out3, acc_dtype, kernel is not None)
    fn(x3, yk, out3, *tail)
    return family


def execute_out(p, x, y, result, out_dtype, acc_dtype, kernel):
    """``batch_dot(x, y, out=result)`` without the call cache (a checked ``result``)."""
    if result.size == 0:
        return result
    if p.contracted == 0:
        result[...] = 0
        return result
    x3, y3, _ = p.canonical(_kernel_operand(x), _kernel_operand(y))
    out3 = None
    if not (np.may_share_memory(result, x) or np.may_share_memory(result, y)):
        out3 = p.canonical_out(result)
    if out3 is None or out3.dtype != kernel_dtype(out3.dtype):
        # out's strides admit no (B, M, N) view, it overlaps an input, or it is float16
        tmp = np.empty((p.batch, p.m, p.n), kernel_dtype(out_dtype))
        execute(x3, y3, tmp, acc_dtype, kernel)
        result[...] = tmp.reshape(p.out_shape)
    else:
        execute(x3, y3, out3, acc_dtype, kernel)
    return result


class _Layout(NamedTuple):
    """What the kernel choice and the staging rule read of an array: no data."""

    shape: tuple
    strides: tuple
    dtype: np.dtype

    @property
    def itemsize(self):
        return self.dtype.itemsize


def _runner_scaled(p, out_dtype, acc_dtype):
    """A product of one term (``K == 1``) with one row or one column (:func:`.choose.scales`):
    ``np.multiply`` of the canonical views ``(B, M, 1)`` and ``(B, 1, N)``, broadcast, without
    NumPy's warnings (the kernels give none).  Floats multiply in the accumulation dtype (float32
    for a float16 result, rounded once more as the kernels round their sums); integers and bool
    in the result dtype, which wraps as the kernels' 64-bit products cast to it do (bool: a
    logical and, the kernels' ``count != 0``).  The register tiles spent about 25 ns a batch element on
    such products ((131072, 1) . (131072, 4, 1) float32: 2.0 ms against ``np.multiply``'s 0.43,
    ``asv_bench/records/2026-12-07-0806-k1-products.txt``)."""
    B, M, N = p.batch, p.m, p.n
    xs, ys, out_shape = (B, M, 1), (B, 1, N), p.out_shape
    calc = out_dtype if out_dtype.kind in "biu" else acc_dtype

    def run_scaled(x, y):
        x3 = x.transpose(p.x_order).reshape(xs)
        y3 = y.transpose(p.y_order).reshape(ys)
        with np.errstate(over="ignore", invalid="ignore"):
            res = np.multiply(x3, y3, dtype=calc, casting="unsafe").reshape(out_shape)
            return res if calc == out_dtype else res.astype(out_dtype)

    return _finish(run_scaled, "multiply", p, out_dtype, None)


def _canonical(a, order, groups, shape3):
    """``(copied, layout)`` of ``a``'s canonical view: ``a.transpose(order).reshape(shape3)``.

    NumPy's reshape copies (in C order) when the grouped axes cannot merge; then the layout
    is that copy's.  Nothing is allocated.
    """
    merged = _merge_strides(a.shape, a.strides, order, groups)
    if merged is None:
        strides, step = [], a.itemsize
        for n in reversed(shape3):
            strides.insert(0, step)
            step *= n
        return True, _Layout(shape3, tuple(strides), a.dtype)
    return False, _Layout(merged[0], merged[1], a.dtype)


def _broadcast_axes(p, x, y):
    """Axes of ``x`` and of ``y`` that are broadcast (stride 0, size > 1) and can be computed once.

    A stride-0 free axis of one operand (``np.broadcast_to``) repeats the same values, so
    the result repeats along the matching result axis; a batch axis with stride 0 in both
    operands likewise.  Computing those at size 1 and broadcasting the small result into
    the output never materialises the repeated data.
    """
    bx = [a for a in p.x_order[1:-1] if x.shape[a] > 1 and x.strides[a] == 0]
    by = [a for a in p.y_order[2:] if y.shape[a] > 1 and y.strides[a] == 0]
    if x.shape[0] > 1 and x.strides[0] == 0 and y.strides[0] == 0:
        bx.append(0)
        by.append(0)
    return bx, by


#: Row dots of cast operands (float16, non-native byte order) of at least this many bytes of
#: the kernel's dtype run a group of rows at a time (:func:`_runner_cast_rows`) ...
CAST_ROWS_MIN = 1 << 21
#: ... each group's operands cast into buffers of about this many bytes each, which stay in
#: cache for the row dots.
CAST_ROWS_BYTES = 1 << 18


def _cast_in_groups(given, casts, K, item):
    """Whether a row dot of the caller's ``given`` operands, ``casts`` of them cast for the
    kernel (items of ``item`` bytes), runs a group of rows at a time: large, and every cast
    operand C-contiguous (a group of its rows is one run of memory)."""
    x, y = given
    return (x.shape[0] * K * item >= CAST_ROWS_MIN
            and all(a.flags.c_contiguous for a, c in zip(given, casts) if c))


def _runner_cast_rows(p, given, kernel_dtypes, out_k, out_dtype, acc_dtype):
    """Row dots of cast operands a group of rows at a time: each group cast into a buffer of
    at most :data:`CAST_ROWS_BYTES` (:func:`.halves.convert_into`: F16C or ``llvm.bswap``
    vectors), whose row dots then read it from cache, serially (groups below
    :data:`.policy.SERIAL_CUTOFF` multiply-adds), instead of a cast copy of each whole operand
    (a (200000, 64) ``>f8`` pair ran 0.4 of ``np.einsum``, which reads it in place,
    ``asv_bench/records/2026-12-07-0302-cast-rows-ab.txt``; grouped 1.07-1.40 (byte-swapped float64), float16 6-8x
    NumPy's best, ``-0541-cast-rows-groups-ab.txt``)."""
    B, K = p.batch, p.k
    casts = [a.dtype != kd for a, kd in zip(given, kernel_dtypes)]
    rows = CAST_ROWS_BYTES // (K * max(np.dtype(kd).itemsize for kd in kernel_dtypes))
    # below the policy's serial cut-off: a group is a few microseconds of dots, which a parallel
    # region would cost more than it saves (and the groups are cast on this thread anyway)
    rows = min(B, max(1, min(rows, (policy.SERIAL_CUTOFF - 1) // K)))
    out_shape, same_out = p.out_shape, out_k == out_dtype

    def group(a, buf, lo, hi, cast):
        return convert_into(buf[: hi - lo], a[lo:hi]) if cast else a[lo:hi]

    def kernel_for(n):
        like = [np.empty((n, K), kd) if c else a[:n] for a, kd, c in zip(given, kernel_dtypes, casts)]
        return prepare("rowdot", *like, np.empty((n, 1), out_k), acc_dtype)

    full, last = kernel_for(rows), (kernel_for(B % rows) if B % rows else None)

    def run(x, y):
        res = np.empty(out_shape, out_k)
        bufs = [np.empty((rows, K), kd) if c else None for kd, c in zip(kernel_dtypes, casts)]
        for lo in range(0, B, rows):
            hi = min(B, lo + rows)
            fn, tail = full if hi - lo == rows else last
            fn(group(x, bufs[0], lo, hi, casts[0]), group(y, bufs[1], lo, hi, casts[1]), res[lo:hi], *tail)
        return res if same_out else convert(res, out_dtype)

    staged = sum(rows * K * np.dtype(kd).itemsize for kd, c in zip(kernel_dtypes, casts) if c)
    run = _finish(run, "rowdot", p, out_dtype, None, acc_dtype, staged=staged)
    run.calls = -(-B // rows)
    return run


def _runner_broadcast(p, x, y, bx, by, out_dtype, acc_dtype, kernel):
    """The runner for operands with broadcast axes (:func:`_broadcast_axes`)."""
    from .._plan import plan

    ix = tuple(slice(0, 1) if a in bx else slice(None) for a in range(x.ndim))
    iy = tuple(slice(0, 1) if a in by else slice(None) for a in range(y.ndim))
    inner = runner(plan(x[ix].shape, y[iy].shape, p.axes), x[ix], y[iy], out_dtype, acc_dtype, kernel)
    out_shape = p.out_shape

    def run(x, y):
        res = np.empty(out_shape, out_dtype)
        res[...] = inner(x[ix], y[iy])
        return res

    def into(x, y, out):
        prepare_out(out, p, out_dtype)
        out[...] = inner(x[ix], y[iy])
        return out

    run.family, run.into, run.staged, run.calls = inner.family, into, inner.staged, inner.calls
    return run


def _runner_swapped(p, x, y, out_dtype, acc_dtype):
    """The runner of a product computed as its transpose (:func:`.choose.transposes`,
    :func:`.choose.transposed_pair`): ``batch_dot(y, x)`` with the axes swapped, into the view of
    this product's result (or ``out``) that puts ``y``'s free axes before ``x``'s."""
    from .._plan import plan

    inner = runner(plan(y.shape, x.shape, p.axes[::-1]), y, x, out_dtype, acc_dtype, None, transpose=False)
    out_shape = p.out_shape
    nxf, nyf = len(p.x_free), len(p.y_free)
    order = (0,) + tuple(range(1 + nxf, 1 + nxf + nyf)) + tuple(range(1, 1 + nxf))

    if p.n == 1:  # one column: the same elements in the same C order, the inner result reshaped
        def run(x, y):
            return inner(y, x).reshape(out_shape)
    else:
        empty = result_allocator(out_shape, out_dtype)

        def run(x, y):
            res = empty(out_shape, out_dtype)
            inner.into(y, x, res.transpose(order))
            return res

    def into(x, y, out):
        prepare_out(out, p, out_dtype)
        inner.into(y, x, out.transpose(order))
        return out

    run.family, run.into, run.staged, run.calls = inner.family, into, inner.staged, inner.calls
    return run


def _runner_rows(p, x, y, out_dtype, acc_dtype):
    """The runner of a product of one row by one column per batch element whose operands are
    not both rank 2 (:func:`.choose.row_dots`): the rank-2 product of their ``(B, K)`` views
    (the free axes, of size 1, dropped: a reshape, whatever the axes' order), whose runner takes the
    row dots (W short rows at a time, the column kernel ...), its result viewed in this
    product's shape."""
    from .._plan import plan

    B, K, out_shape = p.batch, p.k, p.out_shape

    def rows(x, y):  # views: every axis but the batch and the contracted ones is of size 1
        return x.reshape(B, K), y.reshape(B, K)

    inner = runner(plan((B, K), (B, K), (1, 1)), *rows(x, y), out_dtype, acc_dtype, None)

    def run(x, y):
        return inner(*rows(x, y)).reshape(out_shape)

    def into(x, y, out):
        prepare_out(out, p, out_dtype)
        inner.into(*rows(x, y), out.reshape(B, 1))
        return out

    run.family, run.into, run.staged, run.calls = inner.family, into, inner.staged, inner.calls
    return run


def _runner_split(p, x, y, split, out_dtype, acc_dtype):
    """The runner of a product split along one free axis (:func:`.choose.split_candidates`):
    one runner for the sub-products (their views share one layout), each writing its slice of
    the result; None where the sub-products' calls and the copies they make themselves
    outweigh the copy of the operand they spare (:func:`.choose.split_runs_fit`,
    :func:`.choose.split_pays`)."""
    from .._plan import plan

    which, axis, out_axis, n = split
    ax, ay = p.axes
    at = (slice(None),) * axis
    if which == "x":
        def operands(x, y, i):
            return x[at + (i,)], y

        axes, spared = (ax - (axis < ax), ay), x.nbytes
    else:
        def operands(x, y, i):
            return x, y[at + (i,)]

        axes, spared = (ax, ay - (axis < ay)), y.nbytes
    out_shape = p.out_shape
    run_bytes = math.prod(out_shape[out_axis + 1:]) * out_dtype.itemsize
    out_bytes = math.prod(out_shape) * out_dtype.itemsize
    if not choose.split_runs_fit(run_bytes, out_bytes, spared):
        return None
    xi, yi = operands(x, y, 0)
    inner = runner(plan(xi.shape, yi.shape, axes), xi, yi, out_dtype, acc_dtype, None)
    if not choose.split_pays(n, inner.calls, inner.staged, spared):
        return None
    to = (slice(None),) * out_axis
    empty = result_allocator(out_shape, out_dtype)

    def fill(x, y, out):
        with policy.one_call():
            for i in range(n):
                inner.into(*operands(x, y, i), out[to + (i,)])
        return out

    def run(x, y):
        return fill(x, y, empty(out_shape, out_dtype))

    def into(x, y, out):
        prepare_out(out, p, out_dtype)
        if np.may_share_memory(out, x) or np.may_share_memory(out, y):  # a slice would overwrite a later one's input
            out[...] = run(x, y)
            return out
        return fill(x, y, out)

    run.family, run.into, run.staged, run.calls = inner.family, into, n * inner.staged, n * inner.calls
    return run


def _runner_fold(p, x, y, n, out_dtype, acc_dtype):
    """The runner of a product whose ``x`` is read as ``(B*n, ...)`` (:func:`.choose.fold_size`):
    ``x``'s batch axis and first free axis merged into one, in place, against ``y`` (its
    contracted axis first) repeated ``n`` times, each batch element's copy beside the next;
    the result, ``(B*n, ...)``, is the product's as ``(B, n, ...)``."""
    from .._plan import plan

    B = p.batch
    ax, ay = p.axes
    yo = p.y_order
    shape, strides = (B * n,) + x.shape[2:], (x.strides[1],) + x.strides[2:]

    def operands(x, y):
        return (np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False),
                np.repeat(y.transpose(yo), n, axis=0))

    xf, yf = operands(x, y)
    inner = runner(plan(xf.shape, yf.shape, (ax - 1, 1)), xf, yf, out_dtype, acc_dtype, None)
    del xf, yf
    out_shape = p.out_shape

    def run(x, y):
        return inner(*operands(x, y)).reshape(out_shape)

    def into(x, y, out):
        prepare_out(out, p, out_dtype)
        if (np.may_share_memory(out, x) or np.may_share_memory(out, y)
                or (B > 1 and out.strides[0] != n * out.strides[1])):
            out[...] = run(x, y)  # overlapping, or no (B*n, ...) view of out
            return out
        view = np.lib.stride_tricks.as_strided(out, (B * n,) + out.shape[2:], (out.strides[1],) + out.strides[2:])
        inner.into(*operands(x, y), view)
        return out

    run.family, run.into = inner.family, into
    run.staged, run.calls = inner.staged + n * y.nbytes, inner.calls
    return run


def runner(p, x, y, out_dtype, acc_dtype, kernel, transpose=True):
    """``run(x, y) -> result`` for arrays laid out like ``x`` and ``y``: all decisions made.

    Valid for every call with the same shapes, strides, dtypes and flags (writeability and
    alignment; the API's cache key), which are what Numba's argument types and NumPy's
    view-or-copy choices depend on.  ``run.into(x, y, out)`` fills a given ``out`` instead
    (see :func:`_into`).  ``transpose=False`` (the runner of a transpose, :func:`_runner_swapped`)
    keeps it from running as its own transpose again.

    Memory: a call allocates its result and at most one staged copy of each operand (plus a
    cast copy for float16 or non-native byte order); building the runner holds no more than
    a call does, and broadcast axes are never materialised (:func:`_broadcast_axes`).
    """
    B, M, K, N = p.batch, p.m, p.k, p.n
    shape3, out_shape = (B, M, N), p.out_shape
    if B * M * N == 0 or K == 0:
        def run_trivial(x, y):
            return np.zeros(out_shape, out_dtype)

        return _finish(run_trivial, None, p, out_dtype, None)
    bx, by = _broadcast_axes(p, x, y)
    if bx or by:
        return _runner_broadcast(p, x, y, bx, by, out_dtype, acc_dtype, kernel)
    if kernel is None and choose.scales(B, M, K, N, x.dtype, y.dtype, out_dtype, acc_dtype):
        return _runner_scaled(p, out_dtype, acc_dtype)
    if kernel is None and transpose and choose.transposes(p, x, out_dtype):
        return _runner_swapped(p, x, y, out_dtype, acc_dtype)
    if kernel is None and choose.row_dots(p, x, y):
        return _runner_rows(p, x, y, out_dtype, acc_dtype)
    x_cast, y_cast, out_k = kernel_dtype(x.dtype), kernel_dtype(y.dtype), kernel_dtype(out_dtype)
    cast_x, cast_y = x.dtype != x_cast, y.dtype != y_cast
    xo, yo = p.x_order, p.y_order
    xs = (B, M, K)
    nxf, nyf = len(p.x_free), len(p.y_free)

    def cast(x, y):
        return (convert(x, x_cast) if cast_x else x), (convert(y, y_cast) if cast_y else y)

    shown = (x.dtype, y.dtype, out_dtype)  # the caller's dtypes, for kernel='s errors
    given = x, y
    x, y = cast(x, y)
    # the canonical views' layouts, copies where the free axes cannot merge (no data yet)
    copy_x, x3 = _canonical(x, xo, (1, nxf, 1), xs)
    copy_y, y3 = _canonical(y, yo, (1, 1, nyf), (B, K, N))
    same_out = out_k == out_dtype
    rank2 = x.ndim == 2 and y.ndim == 2  # (operands cast for the kernels stay rank 2)
    family = _choose(B, M, K, N, x3, y3, out_k, acc_dtype, kernel, rank2, shown)
    if kernel is None and choose.tiny(B, M, K, N, given[0].dtype, given[1].dtype, out_dtype,
                                      xo == tuple(range(x.ndim)) and yo == tuple(range(y.ndim)) and x.ndim == y.ndim):
        run = _runner_tiny(p, given, x, y, family, out_dtype, acc_dtype)
        if run is not None:
            return run
    if kernel is None and (copy_x or copy_y) and family != "blas":  # BLAS: the copy is small beside it
        for split in choose.split_candidates(p, *given):
            run = _runner_split(p, *given, split, out_dtype, acc_dtype)
            if run is not None:
                return run
        n = choose.fold_size(p, *given) if copy_x else None
        if n:
            return _runner_fold(p, *given, n, out_dtype, acc_dtype)
    if family == "rowdot":  # the kernel takes x, y and out (B, 1) as they are
        columns = by_columns(K, x.strides[0], x.strides[1], x.itemsize, y.strides[0], y.strides[1], y.itemsize,
                             no_column_kernel(out_k))
        sx, sy = _needs_staging("rowdot", x, y, out_k, columns)  # only when forced with kernel=

        def operands(x, y):
            return (stage(x) if sx else x), (stage(y) if sy else y)

        if (cast_x or cast_y) and not (sx or sy) and _cast_in_groups(given, (cast_x, cast_y), K, x.itemsize):
            return _runner_cast_rows(p, given, (x_cast, y_cast), out_k, out_dtype, acc_dtype)
        fn, tail = prepare("rowdot", *operands(x, y), np.empty(out_shape, out_k), acc_dtype)
        if not (sx or sy or cast_x or cast_y) and same_out:
            run_rows = _into_new(fn, tail, out_shape, out_k)  # the tiny-call path
        else:  # cast operands (float16, non-native byte order) and results (float16)
            def run_rows(x, y):
                res = np.empty(out_shape, out_k)
                fn(*operands(*cast(x, y)), res, *tail)
                return res if same_out else convert(res, out_dtype)

        staged = (sx or cast_x) * x.nbytes + (sy or cast_y) * y.nbytes
        views = (lambda x, y: operands(*cast(x, y))) if same_out else None
        return _finish(run_rows, "rowdot", p, out_dtype, views, acc_dtype, staged=staged)
    if family == "dot":  # the kernel takes y as (B, N, K)
        yo, ys = yo[:1] + yo[2:] + yo[1:2], (B, N, K)
        copy_y, yk = _canonical(y, yo, (1, nyf, 1), ys)
    else:
        ys, yk = (B, K, N), y3
    ident_x, ident_y = xo == tuple(range(len(xo))), yo == tuple(range(len(yo)))
    # operands whose free axes cannot merge are copied (staged), and so are operands whose
    # axis the family's vector loads need is not unit-stride (_needs_staging)
    stage_x, stage_y = _needs_staging(family, x3, yk, out_k)
    if (kernel is None and transpose and family != "blas" and not (copy_x or copy_y)
            and choose.transposed_pair(x3, y3, out_k)):
        return _runner_swapped(p, *given, out_dtype, acc_dtype)
    copy_x, copy_y = copy_x or stage_x, copy_y or stage_y

    realign = realigns(family, M, K, N, yk.itemsize, copy_y or _packs(family, yk, out_k))
    staged = (copy_x or cast_x) * x.nbytes + (copy_y or cast_y or realign) * y.nbytes

    def arrange(x, y):
        x = stage(x, xo) if copy_x else (x if ident_x else x.transpose(xo))
        y = stage(y, yo) if copy_y else (y if ident_y else y.transpose(yo))
        # already canonical (rank-3 operands in order): no new view objects on the short path
        x, y = (x if x.shape == xs else x.reshape(xs)), (y if y.shape == ys else y.reshape(ys))
        return x, (lined(y) if realign else y)

    forced = kernel is not None
    fn, tail = prepare(family, *arrange(x, y), np.empty(shape3, out_k), acc_dtype, forced)
    direct = (not (cast_x or cast_y or copy_x or copy_y or realign) and ident_x and ident_y and x.shape == xs
              and y.shape == ys)
    del x, y  # the first call stages its own copies: never two alive at once
    reshape = out_shape != shape3
    empty = result_allocator(shape3, out_k)
    if direct:
        def views(x, y):  # the operands are the kernel's views already
            return x, y

        if same_out and not reshape:  # the tiny-call path: one allocation, one compiled call
            return _finish(_into_new(fn, tail, shape3, out_k, empty), family, p, out_dtype, views, acc_dtype, forced,
                           staged)
    else:
        def views(x, y):
            """The kernel's operands ``x3``, ``yk`` for arrays laid out like the key's."""
            return arrange(*cast(x, y))

    def run(x, y):
        x3, yk = views(x, y)
        res = empty(shape3, out_k)
        fn(x3, yk, res, *tail)
        if reshape:
            res = res.reshape(out_shape)
        return res if same_out else convert(res, out_dtype)

    return _finish(run, family, p, out_dtype, views if same_out else None, acc_dtype, forced, staged)


#: Results of at least this many bytes start on a cache line (:func:`empty_aligned`); smaller
#: ones are plain ``np.empty`` (the alignment costs about 1 us a call).
ALIGN_FROM = 1 << 16
#: Bytes of a cache line: the alignment of large results.
LINE = 64


def empty_aligned(shape, dtype):
    """``np.empty(shape, dtype)`` whose data start on a cache line (:data:`LINE` bytes).

    NumPy aligns its allocations to 16 bytes, so a 64-byte vector store to a C-ordered
    result crosses two cache lines more often than not; on one thread the tiles ran squash's
    products (K = 5: the stores of the result are most of the work) 1.5x faster into an
    aligned result, 32 x 32 float64 ones 1.05-1.16x
    (``asv_bench/records/2026-12-06-1854-aligned-operands.txt``); in the bench's scenes
    over three runs squash ran 1.16-1.77x idle (one float64 cell 0.97) and 1.24-1.34x with
    a core busy (one float32 cell 0.91), level after BLAS, the rest level
    (``-1851-aligned-results-ab.txt``).  The array is a view of a ``uint8`` buffer
    ``LINE`` bytes longer (its ``base``), as arrays returned by Numba functions are views
    of Numba's buffers.
    """
    n = math.prod(shape) * dtype.itemsize
    buf = np.empty(n + LINE, np.uint8)
    at = ctypes.addressof(ctypes.c_char.from_buffer(buf))  # 0.35 us; __array_interface__ 1.2
    return np.ndarray(shape, dtype, buf, -at % LINE)


#: Tile products whose batch elements of ``y`` fill half of L2 or more, each read by this
#: many rows of ``x`` or more, read ``y`` from a copy on cache lines (:func:`lined`).
REALIGN_ROWS = 256


def realigns(family, M, K, N, item, staged):
    """Whether a product of ``family`` with ``M`` rows reads ``y`` (``K x N`` elements of
    ``item`` bytes a batch element) through :func:`lined`: tile products, where ``y`` is not
    ``staged`` already (:func:`stage` allocates it on cache lines).

    Each vector load of a ``y`` whose rows do not start on cache lines touches two lines; on
    one thread, (B, n, n) products ran 1.08-1.24x faster at n = 512 and 1.40-1.49x at
    1024 from such a copy, the copy (into new memory) included, 1.01-1.03x at 256 and
    0.93-1.11x at 128 (the copy costs about ``1/M`` of the product):
    ``asv_bench/records/2026-12-06-1858-lined-y-iso.txt``; large512 with a core busy (the
    tiles) 1.04-1.35x (``-1857-lined-y-ab.txt``).
    """
    return family == "tile" and not staged and M >= REALIGN_ROWS and 2 * K * N * item >= l2_bytes()


def on_lines(a):
    """Whether every row of ``a`` (``(B, R, C)``) starts on a cache line, with rows not a
    multiple of 4 KiB apart (such rows share the same few L1 sets)."""
    s0, s1 = a.strides[0], a.strides[1]
    return ((a.shape[0] < 2 or s0 % LINE == 0) and (a.shape[1] < 2 or (s1 % LINE == 0 and s1 % 4096 != 0))
            and a.__array_interface__["data"][0] % LINE == 0)


def lined_empty(shape, dtype):
    """An uninitialised ``(B, R, C)`` array whose rows start on cache lines, one line further
    apart where they would be a multiple of 4 KiB apart (rows of 1024 float32: 1.40x
    against 1.22x unpadded, ``asv_bench/records/2026-12-06-1858-lined-y-iso.txt``)."""
    B, R, C = shape
    row = -(-C * dtype.itemsize // LINE) * LINE
    row += LINE if row % 4096 == 0 else 0
    return empty_aligned((B, R, row // dtype.itemsize), dtype)[:, :, :C]


def lined(a):
    """``a`` (``(B, R, C)``, unit-stride rows) where :func:`on_lines`, else a copy in
    :func:`lined_empty`."""
    if on_lines(a):
        return a
    copy = lined_empty(a.shape, a.dtype)
    np.copyto(copy, a)
    return copy


def result_allocator(shape, dtype):
    """``np.empty`` or :func:`empty_aligned`: how a result of this shape and dtype is allocated."""
    return empty_aligned if math.prod(shape) * dtype.itemsize >= ALIGN_FROM else np.empty


def _runner_tiny(p, given, xk, yk, family, out_dtype, acc_dtype):
    """The runner of a tiny call (:func:`.choose.tiny`), or None: scalar loops that compute
    bit for bit what ``family`` (the engine's choice) computes, without its vector set-up
    and, for float16, without the widening copies.

    ``given`` are the caller's operands, ``xk``, ``yk`` the family's (float16 widened).
    Products of rank-3 operands on the tiles (:func:`.kernels.tiny_products`,
    :func:`.kernels.tiny_complex_products`; float16: :func:`.halves.half_products` on the
    arrays' bits), and float16 row dots of rank-2 operands whose rows the dots read as runs
    (:func:`.halves.half_rows`, in the dots' lane order); other row dots keep ``rowdot``,
    whose call costs no more.  Any strides; ``out=`` is written directly
    (:func:`_into_layout`).  None also where the float16 kernel failed its check."""
    x, y = given
    rank = x.ndim
    if family == "rowdot":  # float16 only: the row dots' own call is as short as the loops'
        if (rank != 2 or out_dtype != np.float16 or xk.strides[1] != xk.itemsize or yk.strides[1] != yk.itemsize
                or by_columns(p.k, xk.strides[0], xk.strides[1], xk.itemsize, yk.strides[0], yk.strides[1],
                              yk.itemsize, False)):
            return None
    elif family != "tile" or rank != 3 or (p.k > 1 and tiles.may_fuse(p.m, p.n, kernel_dtype(out_dtype))):
        return None  # (fused sums round otherwise; with one term they round alike)
    if out_dtype == np.float16:
        (fn, tail), family = halves.tiny_kernel(rank), "half"
        if fn is None:
            return None
    else:
        zero = acc_dtype.type(0)
        tail = (zero,)
        span = tiny_complex_products if out_dtype.kind == "c" else tiny_products
        fn, family = compile_for(span, (x, y, np.empty((1,) * rank, out_dtype)) + tail, general=True), "tiny"
    run = _finish(_into_new(fn, tail, p.out_shape, out_dtype), family, p, out_dtype, lambda x, y: (x, y))
    run.tiny = fn, tail
    return run


def _into_new(fn, tail, shape, dtype, empty=np.empty):
    """``run(x, y)``: ``fn(x, y, res, *tail)`` into a new ``res = empty(shape, dtype)``,
    returned; for a ``tail`` of one or three values (a span's zero, or its zero and work range)
    without unpacking it per call, which the tiny calls' path notices
    (``asv_bench/records/2026-12-07-2228-tiny-call-ab.txt``)."""
    if len(tail) == 1:
        (a,) = tail

        def run(x, y):
            res = empty(shape, dtype)
            fn(x, y, res, a)
            return res
    elif len(tail) == 3:
        a, b, c = tail

        def run(x, y):
            res = empty(shape, dtype)
            fn(x, y, res, a, b, c)
            return res
    else:
        def run(x, y):
            res = empty(shape, dtype)
            fn(x, y, res, *tail)
            return res
    return run


def _finish(run, family, p, out_dtype, views, acc_dtype=None, forced=False, staged=0):
    """Attach ``run.family``, ``run.into``, ``run.staged`` (bytes a call copies before its kernel
    runs) and ``run.calls`` (compiled calls a call makes); ``views`` is None when ``out``
    cannot be direct."""
    run.family, run.staged, run.calls = family, staged, 1
    run.into = functools.partial(_into, run, family, p, out_dtype, views, acc_dtype, forced, {})
    return run


def _into(run, family, p, out_dtype, views, acc_dtype, forced, by_layout, x, y, out):
    """``batch_dot(x, y, out=out)`` for a cached runner: the kernel writes ``out`` directly.

    Per layout of ``out`` (shape, strides, dtype and flags: ``by_layout``) it is checked once
    (:func:`prepare_out`) and the kernel prepared for it.  When ``out`` overlaps an input,
    admits no ``(B, M, N)`` view, or needs a cast (float16), the result is computed by ``run``
    and copied in.  Overlap: none where ``x``, ``y`` and ``out`` are three arrays that each own
    their memory (NumPy allocated it: ``OWNDATA``), else ``np.may_share_memory`` (bounds).
    Tiny calls with ``out=`` ran 2.1-2.3x faster than when every call checked and viewed
    everything (7.7-9.4 us, more than without ``out=``;
    ``asv_bench/records/2026-12-07-0441-out-calls-ab.txt``).
    """
    flags = out.flags.num
    layout = (out.shape, out.strides, out.dtype, flags)
    got = by_layout.get(layout)
    xy = None
    if got is None:
        got, xy = _into_layout(run, family, p, out_dtype, views, acc_dtype, forced, by_layout, layout, x, y, out)
    fn, tail, whole = got
    if fn is None:  # empty result or K == 0
        out[...] = 0
        return out
    if (fn is _copy_in or x is out or y is out
            or not (flags & _OWNDATA and x.flags.owndata and y.flags.owndata)
            and (np.may_share_memory(out, x) or np.may_share_memory(out, y))):
        out[...] = run(x, y)
        return out
    x3, yk = xy or views(x, y)  # an operand that cannot be viewed is staged here (once)
    fn(x3, yk, out if whole else _out_view(family, p, out), *tail)
    return out


def _into_layout(run, family, p, out_dtype, views, acc_dtype, forced, by_layout, layout, x, y, out):
    """``((fn, tail, whole), xy)`` of :func:`_into` for ``out``'s ``layout`` (checked here, once):
    the prepared kernel, or ``_copy_in`` (the result copied in), or ``fn`` None (nothing to
    compute); ``whole``: ``out`` is the kernel's view of itself; ``xy``: the kernel's operands
    for this call where they were built to prepare it, else None."""
    prepare_out(out, p, out_dtype)
    out3 = None if family is None or views is None else _out_view(family, p, out)
    xy = None
    if family is None:
        got = None, (), False
    elif hasattr(run, "tiny"):  # the tiny loops take out of any strides
        got = run.tiny + (True,)
    elif out3 is None:  # no (B, M, N) view of out, or a cast result
        got = _copy_in, (), False
    else:
        xy = views(x, y)
        fn, tail = prepare(family, *xy, out3, acc_dtype, forced)
        got = fn, tail, out3.shape == out.shape and out3.strides == out.strides
    if len(by_layout) >= 64:
        by_layout.clear()
    by_layout[layout] = got
    return got, xy


_OWNDATA = 0x0004  # NumPy's NPY_ARRAY_OWNDATA bit of ``ndarray.flags.num``


def _copy_in(*args):
    """:func:`_into`'s marker: the runner's result is copied into ``out``."""


def _out_view(family, p, out):
    """The kernel's view of ``out``: itself (rowdot), a reshape, merged axes, or None."""
    if family == "rowdot":
        return out
    if out.flags.c_contiguous:
        return out.reshape(p.batch, p.m, p.n)
    return p.canonical_out(out)


def _tiny(family, x_dtype, y_dtype, out_dtype):
    """Small operands ``x3, yk, out3`` of the family's ranks and of these dtypes."""
    if family == "rowdot":
        return np.ones((2, 3), x_dtype), np.ones((2, 3), y_dtype), np.empty((2, 1), out_dtype)
    yshape = (2, 5, 4) if family == "dot" else (2, 4, 5)
    return np.ones((2, 3, 4), x_dtype), np.ones(yshape, y_dtype), np.empty((2, 3, 5), out_dtype)


def family_verified(family, x_dtype, y_dtype, out_dtype, acc_dtype, variant=""):
    """Whether the family's serial kernel (``variant``: :func:`.kernels.family_kernels`') for
    these dtypes passed :func:`verify` (built if needed).

    The ``@njit`` overload asks this when it compiles a call, and uses ``generic`` for a
    family that failed, as :func:`prepare` does.
    """
    if family in ("generic", "blas"):
        return True
    x, y, out = _tiny(family, x_dtype, y_dtype, out_dtype)
    zero = np.dtype(acc_dtype).type(0)
    entry = compile_for(family_kernels(family, out.dtype, variant), (x, y, out, zero, 0, 2), general=True)
    return verify(family, entry, False, x, y, out, zero, variant)


#: Families :func:`precompile` builds by default, and the dtypes.
PRECOMPILE_FAMILIES = ("tile", "dot", "rowdot", "generic")
PRECOMPILE_DTYPES = ("float32", "float64")


def precompile(dtypes=PRECOMPILE_DTYPES, families=PRECOMPILE_FAMILIES, progress=None):
    """Compile (or load from Numba's cache) the CPU kernels, serial and parallel, ahead of use.

    Parameters
    ----------
    dtypes : iterable of dtype-like
        Result dtypes to build for (operands of the same dtype).  ``dot``/``rowdot`` exist
        for real and bool dtypes (not complex) and are skipped for others.
    families : iterable of str
        Kernel families among ``batchdot.KERNELS`` (``blas`` needs no compilation).
    progress : file-like, optional
        Where a progress line per kernel goes (e.g. ``sys.stderr``); ``None`` for silence.

    Returns
    -------
    list of (family, dtype, seconds)
        What was built and how long it took (about 0 when loaded from the cache).
    """
    import time

    from .choose import KERNELS, REAL, TILE_ONLY, dtype_class

    jobs = []
    for fam in families:
        if fam not in KERNELS:
            raise ValueError(f"batch_dot requires families among {KERNELS}, got {fam!r}")
        for dt in dtypes:
            dt = np.dtype(dt)
            kd = kernel_dtype(dt)
            cls = dtype_class(kd, kd, kd, accumulation_dtype(kd))
            if fam == "blas" or (fam in ("dot", "rowdot") and cls < REAL) or (fam == "tile" and cls < TILE_ONLY):
                continue
            jobs.append((fam, dt, kd))
    done = []
    for n, (fam, dt, kd) in enumerate(jobs, 1):
        if progress is not None:
            bar = "#" * (20 * n // len(jobs))
            print(f"\r[{bar:20s}] {n}/{len(jobs)} {fam} {dt}   ", end="", file=progress, flush=True)
        t0 = time.perf_counter()
        x, y, out = _tiny(fam, kd, kd, kd)
        zero = np.dtype(accumulation_dtype(kd)).type(0)
        for variant in VARIANTS.get(fam, ("",)):  # the families' other spans too
            span = family_kernels(fam, out.dtype, variant)
            compile_for(span, (x, y, out, zero, 0, 2), general=True)
            if not jit.DISABLED:  # the span's parallel entry, and the one parallel driver
                parallel_entry(fam, span, (x, y, out, zero))
                compile_driver()
        done.append((fam, dt.name, time.perf_counter() - t0))
    if progress is not None and jobs:
        print(file=progress)
    return done
