"""Kernel choice: a small, pure function of (B, M, K, N, dtypes, strides).  No Numba import.

The one place the CPU engine decides which kernel family runs a contraction; the choice is
logged at DEBUG on the ``batchdot`` logger and ``kernel=`` overrides it.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["KERNELS", "choose_kernel", "choose_code", "by_columns", "dtype_class", "check_forced", "needs_staging", "no_column_kernel", "c_contiguous", "l2_bytes",
           "BLAS_MIN", "BLAS_WIDE", "BLAS_TALL", "dots_pay", "blas_class", "blas_sized", "blas_wanted", "cast_for_blas", "tile_dtypes_ok"]

#: Families that may be forced with ``kernel=``: every family the engine has.
KERNELS = ("generic", "dot", "rowdot", "tile", "blas")
_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
#: A float contraction at least this large in M, N and K goes to BLAS (cache-blocked GEMM)
#: when one batch element of ``y`` (K x N) does not fit in the L2 cache (the tiles block K
#: but not N, and read ``y[b]`` once per block of rows), or when M and N are both at least
#: :data:`BLAS_WIDE`.  Evidence: ``python -m batchdot bench --blas`` and
#: ``asv_bench/records/2026-12-02-1024-blas-rule-idle-warm.txt``: idle, the tiles won at M = N
#: = 128 and 192 (1.1-1.6x) and lost at 256 and wider (0.67-0.91x), y[b] in L2 or not; right
#: after a ``np.matmul`` they run on one thread and lose everywhere (0.45-0.83x,
#: ``-1022-blas-rule-scenes.txt``).
BLAS_MIN = 128
BLAS_WIDE = 256
#: Products whose ``y`` is stored transposed (``(B, N, K)``, not C-contiguous as ``(B, K, N)``)
#: with batch elements of ``y`` larger than L2 go to BLAS from this many rows of ``x`` on: the
#: dots read each element of ``y`` once per row of ``x`` and the tiles need a transposed copy
#: of it, where BLAS reads it in place, blocked for the cache.  Idle, (1, 30, 570) .
#: (1, 10608, 570) float32: BLAS 6.4 ms, tiles 20.8, dots 12.2 (``np.matmul`` 5.4); (1, 173, 93)
#: . (1, 15680, 93): 3.2 ms, 9.2, 17.4 (asv_bench/records/2026-12-06-2130-unseen-forced.txt).
BLAS_TALL = 8
#: The dots (one vector dot per element of the result) pay where ``y`` is stored transposed
#: and rows of ``x`` are few or the contracted axis is long: below ``DOT_ROWS`` rows, or
#: from ``DOT_BYTES[0]`` bytes of K below ``DOT_ROWS_TALL`` rows, or from ``DOT_BYTES[1]``.
#: Else the tiles, on a transposed copy of ``y``, run such products 1.2-11x faster (each dot
#: of a short K ends in a lane sum; (B, 41, 4) . (B, 16, 4) float32: 0.95 ms against 9.9),
#: measured on AVX-512 (asv_bench/records/2026-12-06-2132-dot-or-tile.txt).
#: From ``DOT_ROWS_MANY`` rows the tiles take any K: their copy of ``y`` (a transposition, ``K N``
#: elements) is then a small share beside the ``M`` rows' dots, each of which reads ``x`` and
#: ``y``: the tiles' speed over the dots' at K = 64-1024 (256-8192 bytes), N = 16 and 128,
#: float32 and float64: 1.09-2.05x at 128 rows, 0.79-1.98x at 96, 0.86-1.55x at 64; 0.48-1.23x
#: at 41, 0.34-0.89x at 16-24 (`asv_bench/records/2026-12-07-0032-dots-or-tiles-rows.txt`).
#: The 2026-12-06 rule (`DOT_BYTES` alone) gave the dots every K of 512 bytes and more, at any M.
DOT_ROWS, DOT_ROWS_TALL, DOT_ROWS_MANY = 4, 16, 64
DOT_BYTES = (128, 512)
#: ... and below ``DOT_ROWS`` rows only from this many bytes of K: shorter dots are one masked
#: load and a lane sum each, and the tiles on a transposed copy of ``y`` ran 1.08-5.7x faster
#: at 8-16 bytes (2-3 rows, N = 50-500; 32 bytes mixed, 0.67-1.71x; 64 bytes and more the dots
#: mostly won: `asv_bench/records/2026-12-07-0220-short-dots.txt`).
DOT_BYTES_SHORT = 32


@functools.cache
def l2_bytes():
    """Per-core L2 cache size from Linux's sysfs, or 1 MiB where it cannot be read."""
    try:
        with open("/sys/devices/system/cpu/cpu0/cache/index2/size") as f:
            text = f.read().strip()
        return int(text[:-1]) << {"K": 10, "M": 20}[text[-1]]
    except (OSError, ValueError, KeyError, IndexError):
        return 1 << 20


def tile_dtypes_ok(x_dtype, y_dtype, out_dtype):
    """Whether the ``tile`` family computes these dtypes.

    - real operands (bool, integers, floats) with a float or integer result: operands are
      converted on load to the result dtype, which is also the accumulation dtype (integers
      wrap like NumPy's, so an int8 result summed in int8 equals int64 sums cast to int8);
    - bool operands and result: a logical product, counted in 32-bit lanes;
    - complex operands and result of one dtype: real tiles on the real and imaginary parts.
    """
    xd, yd, od = np.dtype(x_dtype), np.dtype(y_dtype), np.dtype(out_dtype)
    if od.kind == "c":
        return xd == yd == od
    if od.kind == "b":
        return xd.kind == yd.kind == "b"
    real = xd.kind in "biuf" and yd.kind in "biuf"
    return real and od.kind in "iuf" and od.itemsize in (1, 2, 4, 8)


def same_float(x_dtype, y_dtype, out_dtype, acc_dtype):
    """Whether operands, result and sums are all float32, or all float64: what ``blas``
    computes."""
    x_dtype = np.dtype(x_dtype)
    return x_dtype in _FAST_DTYPES and np.dtype(y_dtype) == x_dtype == out_dtype == acc_dtype


#: Classes of dtype combinations, as :func:`dtype_class` returns them: which families can run.
GENERIC_ONLY, TILE_ONLY, REAL, SAME_FLOAT = range(4)


def dtype_class(x_dtype, y_dtype, out_dtype, acc_dtype):
    """:data:`SAME_FLOAT` (every family), :data:`REAL` (``dot``, ``rowdot``, ``tile``: real
    operands with a float or integer result, bool operands and result), :data:`TILE_ONLY`
    (complex of one dtype) or :data:`GENERIC_ONLY`."""
    if same_float(x_dtype, y_dtype, out_dtype, acc_dtype):
        return SAME_FLOAT
    if not tile_dtypes_ok(x_dtype, y_dtype, out_dtype):
        return GENERIC_ONLY
    return TILE_ONLY if np.dtype(out_dtype).kind == "c" else REAL


def check_forced(forced, x_dtype, y_dtype, out_dtype, acc_dtype, rank2, shown=None):
    """Raise unless the family ``forced`` (``kernel=``) computes these dtypes and ranks.

    The dtypes are the kernel's (float16 widened, native byte order); ``shown`` are the
    caller's own ``(x, y, result)`` dtypes, which the messages name.
    """
    if not isinstance(forced, str) or forced not in KERNELS:
        raise ValueError(f"batch_dot requires kernel to be one of {KERNELS}, got {forced!r}")
    x_dtype, y_dtype = np.dtype(x_dtype), np.dtype(y_dtype)
    cls = dtype_class(x_dtype, y_dtype, out_dtype, acc_dtype)
    got = "got {}, {} -> {}".format(*(shown or (x_dtype, y_dtype, out_dtype)))
    if forced == "blas" and not blas_class(cls):
        raise TypeError(f"batch_dot requires float32, float64, complex64 or complex128 operands and result of "
                        f"one dtype for kernel='blas', {got}")
    if forced in ("dot", "rowdot") and cls < TILE_ONLY:
        raise TypeError(f"batch_dot requires real operands, or complex operands and result of one dtype, "
                        f"for kernel={forced!r}, {got}")
    if forced == "tile" and cls == GENERIC_ONLY:
        raise TypeError(f"batch_dot requires real operands, or complex operands and result of one dtype, "
                        f"for kernel='tile', {got}")
    if forced == "rowdot" and not rank2:
        raise ValueError(f"batch_dot requires rank-2 operands of real dtypes needing no cast (native byte order, "
                         f"no float16) for kernel='rowdot', {got}")


#: Codes of the families, as :func:`choose_code` returns them: indices into :data:`KERNELS`.
GENERIC, DOT, ROWDOT, TILE, BLAS = range(5)


def c_contiguous(shape, strides, itemsize):
    """NumPy's C-contiguity flag of a view (size-1 axes ignored, empty arrays contiguous).

    Plain integer code, compiled as it is inside the ``@njit`` overload (``batchdot._overload``).
    """
    expected = itemsize
    ok = True
    for i in range(len(shape) - 1, -1, -1):
        if shape[i] == 0:
            return True
        if shape[i] != 1:
            if strides[i] != expected:
                ok = False
            expected *= shape[i]
    return ok


def by_columns(K, x_b_stride, x_k_stride, x_item, y_b_stride, y_k_stride, y_item, bool_out):
    """Whether rank-2 row dots run down the columns (``rowdot``'s column kernel).

    Operands whose batch axis is unit-stride and whose contracted axis is not (Fortran
    order, e.g. a pandas frame's ``to_numpy()``) are read in place, ``W`` rows per vector,
    instead of copied.  Not for bool results (counted by the row kernel) nor complex ones
    (staged for the complex dots): ``bool_out`` is true for both.  Plain integer
    code, as :func:`choose_code`.
    """
    return (not bool_out and K > 1 and x_b_stride == x_item and y_b_stride == y_item
            and not (x_k_stride == x_item and y_k_stride == y_item))


def no_column_kernel(out_dtype):
    """Whether results of ``out_dtype`` have no column kernel (:func:`by_columns`'s
    ``bool_out``): bool results are counted by the row dots, complex ones computed by the
    complex dots, both along a unit-stride contracted axis."""
    return np.dtype(out_dtype).kind in "bc"


def blas_class(cls):
    """Whether ``blas`` computes dtype class ``cls``: float32, float64, complex64 or complex128
    operands and result of one dtype (:data:`SAME_FLOAT`, or :data:`TILE_ONLY`: complex of one
    dtype; NumPy's ``cgemm``/``zgemm`` are 2-3x the complex tiles on 512 x 512 products,
    ``asv_bench/records/2026-12-06-1004-dtypes-idle.txt``)."""
    return cls == SAME_FLOAT or cls == TILE_ONLY


def blas_sized(cls, M, N, K):
    """Whether BLAS can compute a contraction well: dtypes it computes (:func:`blas_class`),
    M, N and K at least :data:`BLAS_MIN`.  Such products that :func:`choose_code` gives to the
    tiles are handed to BLAS while this process's own threads hold the cores
    (``batchdot.cpu.policy.own_contention``)."""
    return blas_class(cls) and M >= BLAS_MIN and N >= BLAS_MIN and K >= BLAS_MIN


def blas_wanted(cls, item, M, N, K, l2):
    """Whether :func:`choose_code` gives a contraction of dtype class ``cls`` to BLAS: it is
    :func:`blas_sized` and one batch element of ``y`` (``K x N`` of ``item`` bytes) does not fit
    in L2 (``l2`` bytes), or M and N are both at least :data:`BLAS_WIDE`."""
    return blas_sized(cls, M, N, K) and (K * N * item > l2 or min(M, N) >= BLAS_WIDE)


def cast_for_blas(x_dtype, y_dtype, out_dtype, acc_dtype, M, N, K, l2):
    """Whether BLAS takes a product of other real operands than its float result, the
    operands cast to the result dtype a group of batch elements at a time (``cpu._blas``).

    For a float32 or float64 result summed in its own dtype, from operands of other real
    dtypes that it holds safely (float32 with float64 or ``dtype=float64``, integers, bool),
    where BLAS would take the product in the result dtype (:func:`blas_wanted`).  The cast
    rounds as the tiles' convert-on-load does (``astype``), and while other processes keep
    a core busy the tiles take the operands as they are (``cpu._blas_or_tiles``).  512 x 512
    products: 2-3x the tiles, level with or ahead of NumPy's ``matmul`` of operands cast
    first (``asv_bench/records/2026-12-06-1156-cast-blas.txt``).
    """
    od = np.dtype(out_dtype)
    if od not in _FAST_DTYPES or np.dtype(acc_dtype) != od:
        return False
    xd, yd = np.dtype(x_dtype), np.dtype(y_dtype)
    if xd == yd == od or not (xd.kind in "biuf" and yd.kind in "biuf"):
        return False
    if not (np.can_cast(xd, od, "safe") and np.can_cast(yd, od, "safe")):
        return False
    return blas_wanted(SAME_FLOAT, od.itemsize, M, N, K, l2)


def dots_pay(M, k_bytes):
    """Whether the dots, rather than the tiles on a transposed copy of ``y``, compute a product
    of ``M`` rows whose contracted axis spans ``k_bytes`` (:data:`DOT_ROWS`, :data:`DOT_BYTES`,
    :data:`DOT_BYTES_SHORT`, :data:`DOT_ROWS_MANY`)."""
    return (M < DOT_ROWS and k_bytes >= DOT_BYTES_SHORT) or (
        M < DOT_ROWS_MANY and (k_bytes >= DOT_BYTES[1] or (k_bytes >= DOT_BYTES[0] and M < DOT_ROWS_TALL)))


def choose_code(cls, x_item, y_item, M, N, K, x_k_stride, y_k_stride, y_c_contiguous, rank2, l2, columns=False):
    """The family code for a contraction: the heuristics of :func:`choose_kernel`, in integers.

    Plain integer code, shared by :func:`choose_kernel` and the ``@njit`` overload so that
    both pick the same family for the same call.  ``cls`` is :func:`dtype_class`;
    ``x_k_stride`` and ``y_k_stride`` are the byte strides of the contracted axis in the
    canonical ``(B, M, K)`` and ``(B, K, N)`` views; ``columns`` is :func:`by_columns` for
    rank-2 operands.
    """
    if blas_wanted(cls, x_item, M, N, K, l2):
        return BLAS
    if blas_class(cls) and not y_c_contiguous and M >= BLAS_TALL and N > 1 and K * N * y_item > l2:
        return BLAS  # a large y stored transposed, read by many rows
    if columns and cls >= REAL:  # operands stored by columns, read in place (rank 2, or M = 1)
        return ROWDOT if rank2 else DOT
    if cls >= TILE_ONLY:  # real, or complex of one dtype (complex dots)
        # K == 1: a product of a column and a row, which the tiles store in vectors
        k_contiguous = (x_k_stride == x_item and y_k_stride == y_item) if K > 1 else M == N == 1
        if k_contiguous and (M == 1 or N == 1 or (cls == SAME_FLOAT and not y_c_contiguous
                                                  and dots_pay(M, K * x_item))):
            return ROWDOT if rank2 else DOT
    if cls != SAME_FLOAT and M == 1 and N == 1:  # row dots that the dots cannot read: one dot each
        return GENERIC
    # vector-matrix products of other dtypes run on one-row tiles: int16 (10000, 64) . (10000,
    # 64, 32) 1.3 ms against 22.1 ms by one dot per element, complex64 23.7 against 36.5
    # (asv_bench/records/2026-12-06-2137-generic-or-tile.txt; one dot per element won on
    # 2026-12-01, records/2026-12-01-2128-generic-vs-tile.txt, before the vector tiles)
    return TILE if cls >= TILE_ONLY else GENERIC


def needs_staging(family, x_last, x_last_stride, x_item, y_last, y_last_stride, y_item, columns=False):
    """``(stage x, stage y)``: operands the family's vector loads cannot read in place.

    The tiles load rows of ``y`` (``(B, K, N)``) as vectors; the dots load the contracted axis,
    the last one, of both ``x`` and ``y`` (``(B, N, K)``, or ``(B, K)`` for ``rowdot``), except
    ``rowdot`` by ``columns`` (:func:`by_columns`), which loads along the batch axis.  An
    operand whose last axis (size ``*_last``, byte stride ``*_last_stride``, item size ``*_item``) is not
    unit-stride is copied once in C order.  The automatic choice only picks ``dot``/``rowdot``
    when no copy is needed; ``kernel=`` may force one that needs it.  Plain integer code, as
    :func:`choose_code`.
    """
    if (family == ROWDOT or family == DOT) and columns:
        return False, False
    x_strided = x_last > 1 and x_last_stride != x_item
    y_strided = y_last > 1 and y_last_stride != y_item
    if family == TILE:
        return False, y_strided
    if family == DOT or family == ROWDOT:
        return x_strided, y_strided
    return False, False


def choose_kernel(B, M, K, N, x3, y3, out_dtype, acc_dtype, forced=None, rank2=False, shown=None):
    """The kernel family for one contraction: the one place this is decided.

    ``out_dtype`` is the dtype the kernel writes.  ``forced`` (the ``kernel=`` argument)
    overrides the heuristics.  ``rank2``: the operands are the user's own rank-2 arrays with
    no dtype casts, so ``dot`` becomes ``rowdot``, which takes them as they are.  ``tile``
    needs unit-stride rows of ``y``; the engine stages a ``y`` without them (one copy).
    """
    if forced is not None:
        check_forced(forced, x3.dtype, y3.dtype, out_dtype, acc_dtype, rank2, shown)
        return "rowdot" if forced == "dot" and rank2 else forced
    cls = dtype_class(x3.dtype, y3.dtype, out_dtype, acc_dtype)
    columns = (rank2 or M == 1) and by_columns(K, x3.strides[0], x3.strides[2], x3.itemsize, y3.strides[0],
                                               y3.strides[1], y3.itemsize, no_column_kernel(out_dtype))
    l2 = l2_bytes()
    code = choose_code(cls, x3.itemsize, y3.itemsize, M, N, K, x3.strides[2], y3.strides[1],
                       c_contiguous(y3.shape, y3.strides, y3.itemsize), rank2, l2, columns)
    if code == TILE and cast_for_blas(x3.dtype, y3.dtype, out_dtype, acc_dtype, M, N, K, l2):
        code = BLAS
    return KERNELS[code]
