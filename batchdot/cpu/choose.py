"""Kernel choice: small, pure functions of (B, M, K, N, dtypes, strides).  No Numba import.

The one place the CPU engine decides which kernel family runs a contraction (the choice is
logged at DEBUG on the ``batchdot`` logger and ``kernel=`` overrides it), and how a product
reads operands the family cannot take in place: a copy, the product's transpose
(:func:`transposes`, :func:`transposed_pair`) or sub-products along a free axis
(:func:`split_candidates`, :func:`split_runs_fit`, :func:`split_pays`).
"""

from __future__ import annotations

import functools

import numpy as np

from .._plan import _merge_strides, merge_group

__all__ = ["KERNELS", "choose_kernel", "choose_code", "by_columns", "dtype_class", "check_forced", "needs_staging",
           "no_column_kernel", "c_contiguous", "l2_bytes", "BLAS_MIN", "K1_SINGLE_MIN", "BLAS_WIDE", "BLAS_TALL", "dots_pay",
           "blas_class", "blas_sized", "blas_handover", "HANDOVER_MADDS", "HANDOVER_SIDE", "HANDOVER_ROWS",
           "HANDOVER_COLUMNS", "HANDOVER_K",
           "tiles_copy_y_when_busy", "blas_wanted", "BLAS_TRANSPOSED", "BLAS_TRANSPOSED_SIDE", "cast_for_blas",
           "tile_dtypes_ok", "transposes", "scales",
           "narrow_columns", "transposed_pair", "split_candidates", "split_runs_fit",
           "split_pays"]

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
#: ... and so do float products of ``y`` stored ``(B, N, K)`` (q · kᵀ: ``K`` unit-stride) of
#: more than this many multiply-adds a batch element, from :data:`DOT_ROWS_MANY` rows (beyond
#: the dots' reach: fewer rows with a long ``K`` stay on the dots, which read ``y`` in place)
#: and :data:`BLAS_TRANSPOSED_SIDE` columns: there BLAS, reading ``y`` in place, ran
#: 1.05-1.34x the tiles on their transposed copy of ``y`` (e.g. (8, 512, 512, 64) as (B, M,
#: N, K)), below it 0.6-1.4x (the tiles won on many small batch elements: (142, 82, 156, 17)
#: 0.6); random sizes and attention-like ones, all with 82 or more rows, float32 and float64
#: (``asv_bench/records/scripts/qkt_blas.py``,
#: ``asv_bench/records/2026-12-07-0416-qkt-blas-s1-idle-mag.txt``); 8-32 columns ((9, 128,
#: 16, 1024) float64: the tiles took 0.74 of the time on BLAS,
#: ``asv_bench/records/2026-12-07-0422-qkt-narrow.txt``) stay on the tiles.  Complex products
#: (not measured) keep the tiles.  With a core busy the tiles take them back
#: (``batchdot.cpu._blas_or_tiles``, :func:`tiles_copy_y_when_busy`).
BLAS_TRANSPOSED = 1 << 20
BLAS_TRANSPOSED_SIDE = 48
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
#: Since 2026-12-08 the tiles read such a ``y`` in place, transposing a block at a time, and
#: :func:`dots_pay` splits by ``N`` too (these thresholds stay for partly filled tiles).
DOT_ROWS, DOT_ROWS_TALL, DOT_ROWS_MANY = 4, 16, 64
DOT_BYTES = (128, 512)
#: ... and below ``DOT_ROWS`` rows only from this many bytes of K: shorter dots are one masked
#: load and a lane sum each, and the tiles on a transposed copy of ``y`` ran 1.08-3.3x faster
#: at 8-16 bytes (K = 1, 4-8 bytes, already took the tiles: 2.6-5.7x; 2-3 rows, N = 50-500; 32 bytes mixed, 0.67-1.71x; 64 bytes and more the dots
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
        raise ValueError(f"batch_dot requires rank-2 operands for kernel='rowdot', {got}")


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


#: A product the tiles compute is handed to BLAS while this process's own threads hold the
#: cores (``batchdot.cpu.policy.own_contention``: NumPy's BLAS threads spinning after a
#: ``np.matmul``, when the policy would run the tiles on one thread) where it is
#: :func:`blas_sized`, or from this many multiply-adds a batch element with ``M`` and ``N`` from
#: :data:`HANDOVER_SIDE` (or ``M`` from :data:`HANDOVER_ROWS` and ``N`` from
#: :data:`HANDOVER_COLUMNS`) and ``K`` from :data:`HANDOVER_K` (float32/float64 only: complex
#: products were not measured): right after ``np.matmul``, BLAS
#: ran such products 1.04-1.88x the serial tiles (e.g. (11, 500, 166, 14) as (B, M, N, K)
#: float64 1.66, (16, 256, 64, 256) 1.22-1.29), smaller ones or narrower 0.59-1.0x; ``K`` of
#: 10-256 measured (``asv_bench/records/scripts/blas_reach.py``,
#: ``asv_bench/records/2026-12-07-0428-blas-reach-s1-idle.txt``, ``-0429-blas-reach-s2-pipeline.txt``).
#: Few rows over many columns (M 2-63, N 256-4096, K 16-512, as measured) likewise: from 8 rows
#: and 2^21 multiply-adds 1.07-1.49x the tiles after ``np.matmul`` ((11, 20, 1636, 98)
#: float64 1.43, (9, 48, 1219, 210) 1.41-1.47), below either bound mixed, 0.86-1.45x
#: (``blas_reach.py SEED N - pipeline rows``, ``-0653-blas-reach-rows-s*-pipeline*.txt``, on
#: an AMD EPYC; the rule took 64 rows and columns until then).
HANDOVER_MADDS = 1 << 21
HANDOVER_SIDE = 64
HANDOVER_ROWS, HANDOVER_COLUMNS = 8, 256
HANDOVER_K = 8


def blas_handover(cls, M, N, K):
    """Whether BLAS takes a product from the tiles while this process's own threads hold the
    cores (:data:`HANDOVER_MADDS`, :data:`HANDOVER_SIDE`, :data:`HANDOVER_ROWS`,
    :data:`HANDOVER_COLUMNS`, :data:`HANDOVER_K`, :func:`blas_sized`)."""
    return blas_sized(cls, M, N, K) or (cls == SAME_FLOAT and K >= HANDOVER_K and M * N * K >= HANDOVER_MADDS
                                        and (min(M, N) >= HANDOVER_SIDE
                                             or (M >= HANDOVER_ROWS and N >= HANDOVER_COLUMNS)))


def tiles_copy_y_when_busy(y_staged, y_bytes, l2):
    """Whether a product given to BLAS runs on the tiles while other processes keep a core
    busy, as far as ``y`` is concerned: the tiles read it in place (``y_staged`` False), or
    copy a batch element of ``y_bytes`` within L2 (``l2`` bytes) first.  With a core busy BLAS
    waits for it on every call: q · kᵀ (16, 256, 256, 64) float64 as (B, M, N, K) 2.6 ms on
    the tiles with their copy against BLAS's 6.1
    (``asv_bench/records/2026-12-07-0415-qkt-blas-s1-busy.txt``); a larger ``y`` stays on BLAS
    ((1, 30, 570) . (1, 10608, 570) with a core busy: 27-40 ms on the tiles against NumPy's
    16-19, ``asv_bench/records/2026-12-06-2115-unseen-busy-s1-new.txt``)."""
    return not y_staged or y_bytes <= l2


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


def dots_pay(M, k_bytes, N, W):
    """Whether the dots, rather than the tiles over ``y`` transposed a block at a time
    (:func:`.tiles.packs`), compute a product of ``M`` rows and ``N`` columns whose contracted
    axis spans ``k_bytes``, for tiles of ``W`` lanes (:data:`DOT_ROWS`, :data:`DOT_BYTES`,
    :data:`DOT_BYTES_SHORT`, :data:`DOT_ROWS_TALL`, :data:`DOT_ROWS_MANY`): below
    :data:`DOT_ROWS` rows from :data:`DOT_BYTES_SHORT` bytes; below :data:`DOT_ROWS_TALL` rows
    from :data:`DOT_BYTES` ``[0]`` bytes where the tiles are whole vectors wide (``N >= 2 W``),
    and from ``[1]`` where they are half-width (``N <= W / 2``); else (partly filled wide
    tiles) below :data:`DOT_ROWS_MANY` rows from ``[1]`` bytes, below ``DOT_ROWS_TALL`` from
    ``[0]``.  On one thread, float32 and float64, M = 4-48, N = 3-256, K of 64-2048 bytes
    (``asv_bench/records/2026-12-08-0008-packed-or-dots-f32.txt``, ``-0010-packed-or-dots-f64.txt``):
    the rule gives each product the faster family but for a few left at 0.84-0.95 of the other
    (float64 (16, 3, 256) 0.84, float32 (16, 64, 512) 0.88, float64 (24, 128, 256) 0.91)."""
    if M < DOT_ROWS:
        return k_bytes >= DOT_BYTES_SHORT
    if 2 * N <= W:
        return M < DOT_ROWS_TALL and k_bytes >= DOT_BYTES[1]
    if N >= 2 * W:
        return M < DOT_ROWS_TALL and k_bytes >= DOT_BYTES[0]
    return M < DOT_ROWS_MANY and (k_bytes >= DOT_BYTES[1] or (k_bytes >= DOT_BYTES[0] and M < DOT_ROWS_TALL))


def choose_code(cls, x_item, y_item, M, N, K, x_k_stride, y_k_stride, y_c_contiguous, rank2, l2, columns=False,
                vector_bytes=64):
    """The family code for a contraction: the heuristics of :func:`choose_kernel`, in integers.

    Plain integer code, shared by :func:`choose_kernel` and the ``@njit`` overload so that
    both pick the same family for the same call.  ``cls`` is :func:`dtype_class`;
    ``x_k_stride`` and ``y_k_stride`` are the byte strides of the contracted axis in the
    canonical ``(B, M, K)`` and ``(B, K, N)`` views; ``columns`` is :func:`by_columns` for
    rank-2 operands; ``vector_bytes``: :data:`.vector.VECTOR_BYTES` (the tiles' lanes).
    """
    if blas_wanted(cls, x_item, M, N, K, l2):
        return BLAS
    if blas_class(cls) and not y_c_contiguous and M >= BLAS_TALL and N > 1 and K * N * y_item > l2:
        return BLAS  # a large y stored transposed, read by many rows
    if (cls == SAME_FLOAT and not y_c_contiguous and y_k_stride == y_item and M >= DOT_ROWS_MANY
            and N >= BLAS_TRANSPOSED_SIDE and M * N * K > BLAS_TRANSPOSED):
        return BLAS  # q . k^T within L2, beyond the dots' rows
    if columns and cls >= REAL:  # operands stored by columns, read in place (rank 2, or M = 1)
        return ROWDOT if rank2 else DOT
    if cls >= TILE_ONLY:  # real, or complex of one dtype (complex dots)
        # K == 1: a product of a column and a row, which the tiles store in vectors
        k_contiguous = (x_k_stride == x_item and y_k_stride == y_item) if K > 1 else M == N == 1
        if k_contiguous and (M == 1 or N == 1 or (cls == SAME_FLOAT and not y_c_contiguous
                                                  and dots_pay(M, K * x_item, N, vector_bytes // x_item))):
            return ROWDOT if rank2 else DOT
    if cls != SAME_FLOAT and M == 1 and N == 1:  # row dots that the dots cannot read: one dot each
        return GENERIC
    # vector-matrix products of other dtypes run on one-row tiles: int16 (10000, 64) . (10000,
    # 64, 32) 1.3 ms against 22.1 ms by one dot per element, complex64 23.7 against 36.5
    # (asv_bench/records/2026-12-06-2137-generic-or-tile.txt; one dot per element won on
    # 2026-12-01, records/2026-12-01-2128-generic-vs-tile.txt, before the vector tiles)
    return TILE if cls >= TILE_ONLY else GENERIC


#: Calls of at most this many multiply-adds take the scalar loops of ``kernels.tiny_products``
#: (:func:`tiny`): their compiled call, with the result's allocation, against the tiles' on one
#: thread (``asv_bench/records/2026-12-07-1200-tiny-kernels-cross.txt``): float64 (4, 2, 3) .
#: (4, 3, 5) 532 against 648 ns, (2, 4, 8) . (2, 8, 4) 567 against 687, complex128 642-714
#: against 886-1015, float32 555-608 against 630-636; from 512 on they lose or tie (float32
#: 935 against 892), and integers tie or lose at every size (int32 651 against 600 at 256):
#: integer products keep the tiles.
TINY_MADDS = 256
#: ... and float16 calls of at most this many (``halves.half_rows`` / ``half_products`` on the
#: data's bits), whose other path widens both operands and narrows the result by NumPy's
#: ``astype`` (about 0.3 us each below ``halves.MIN_SIZE`` elements) before the same kernels.
TINY_HALF_MADDS = 2048


def tiny(B, M, K, N, x_dtype, y_dtype, out_dtype, orders):
    """Whether a call may run the tiny scalar loops (``cpu._runner_tiny`` then also requires
    the tiles not to fuse multiply-adds on it, which round otherwise): operands and result of
    one native float, complex or bool dtype, in order (``orders``: the plan's ``x_order`` and ``y_order`` are the identity; rank-2 row
    dots or rank-3 products taken as they are), within :data:`TINY_MADDS` multiply-adds
    (:data:`TINY_HALF_MADDS` for float16) and ``K <= 256`` (each sum one run, as in a block of
    the tiles)."""
    madds = B * M * K * N
    if (madds > TINY_HALF_MADDS or K > 256 or x_dtype.kind not in "fcb"
            or not (x_dtype == y_dtype == out_dtype and x_dtype.isnative and orders)):
        return False
    return madds <= (TINY_HALF_MADDS if x_dtype == np.float16 else TINY_MADDS)


#: Products of one term over one element a batch element (``K = M = N = 1``: ``(B, 1) . (B, 1)``)
#: take ``np.multiply`` (:func:`scales`) from this many batch elements: the row dots spent 5-9
#: ns a row on them (one masked load and a lane sum each), ``np.multiply`` 0.2-0.6; at
#: 256 rows ``np.multiply`` ran 1.05-1.64x (int64 row dots 0.69), at 1024 1.47-3.07x, at
#: 11549 10-29x (``asv_bench/records/2026-12-07-1444-k1-single-elements.txt``); below, its
#: ``np.errstate`` and views cost more than the row dots' short call (B = 4-64: 0.41-1.19x).
K1_SINGLE_MIN = 512


def scales(B, M, K, N, x_dtype, y_dtype, out_dtype, acc_dtype):
    """Whether a product is one term (``K == 1``) over one row or one column of real dtypes
    summed in the result's (each result element a product: ``cpu._runner_scaled``'s
    ``np.multiply``); a single element per batch element only from :data:`K1_SINGLE_MIN`
    batch elements (below, the row dots' tiny-call path).  One thread, against the tiles'
    1-row products: (B, 1, N) float32 4.7x at N = 4, 2.5x at 12, 1.0-1.15x at 64-300; two or
    more rows and columns stay on the tiles (1.75-6x faster than ``np.multiply``),
    ``asv_bench/records/2026-12-07-0806-k1-products.txt``."""
    return (K == 1 and (M == 1 or N == 1) and (M * N > 1 or B >= K1_SINGLE_MIN)
            and np.dtype(out_dtype).kind in "biuf" and np.dtype(x_dtype).kind in "biuf"
            and np.dtype(y_dtype).kind in "biuf")


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
    overrides the heuristics.  ``rank2``: the operands are the user's own rank-2 arrays (or
    their casts: float16, non-native byte order), so ``dot`` becomes ``rowdot``, which takes them
    as they are.  ``tile``
    needs unit-stride rows of ``y`` or (real results) a ``y`` stored ``(B, N, K)``
    (:func:`.tiles.packs`); the engine stages any other ``y`` (one copy).
    """
    if forced is not None:
        check_forced(forced, x3.dtype, y3.dtype, out_dtype, acc_dtype, rank2, shown)
        return "rowdot" if forced == "dot" and rank2 else forced
    cls = dtype_class(x3.dtype, y3.dtype, out_dtype, acc_dtype)
    columns = (rank2 or M == 1) and by_columns(K, x3.strides[0], x3.strides[2], x3.itemsize, y3.strides[0],
                                               y3.strides[1], y3.itemsize, no_column_kernel(out_dtype))
    l2 = l2_bytes()
    from .vector import VECTOR_BYTES

    code = choose_code(cls, x3.itemsize, y3.itemsize, M, N, K, x3.strides[2], y3.strides[1],
                       c_contiguous(y3.shape, y3.strides, y3.itemsize), rank2, l2, columns, VECTOR_BYTES)
    if code == TILE and cast_for_blas(x3.dtype, y3.dtype, out_dtype, acc_dtype, M, N, K, l2):
        code = BLAS
    return KERNELS[code]


# --------------------------------------------------------------------------- how operands are read
# Where a product runs as its transpose (y^T x^T, ``batchdot.cpu._runner_swapped``) or as
# sub-products along a free axis (``batchdot.cpu._runner_split``) instead of copying an operand.


def _sum_lanes(acc_dtype):
    """Lanes of the tiles' vectors for sums in ``acc_dtype`` (small integers are summed in 32-bit
    lanes): :data:`.vector.VECTOR_BYTES` imported on use, so that this module stays free of Numba."""
    from .vector import VECTOR_BYTES

    return VECTOR_BYTES // max(4, np.dtype(acc_dtype).itemsize)


#: Products run as their transpose (:func:`transposed_pair`) of fewer multiply-adds than this
#: keep their copy: the transpose's result goes through ``into``'s general view of it (about
#: 10 us: (11, 7, 7) · (11, 40, 7) 20 us against 10 with the copy).
TRANSPOSED_MIN = 1 << 17
def transposes(p, x, out_dtype):
    """Whether a product with one column (``N == 1``: ``y`` is a vector per batch element), or
    a few (:func:`narrow_columns`), is computed as its transpose, ``y^T x^T``
    (:func:`batchdot.cpu._runner_swapped`): where ``x``'s rows are adjacent (its free axes merge
    into one unit-stride axis) and its contracted axis is not unit-stride, as in
    ``batch_dot(x (B, K, M), y (B, K), axes=1)``.  Such an ``x`` is a matrix of ``K`` unit-stride rows of ``M``,
    which the tiles read as a product of ``N`` rows over ``M`` columns of vectors, ``y``
    broadcast from any layout; as it is, the tiles would compute ``N`` lanes of each vector
    and the dots read ``x`` down its strided columns."""
    B, M, K, N = p.batch, p.m, p.k, p.n
    if M < 2 or K < 2:
        return False
    if N != 1 and not (out_dtype.kind in "fiu" and 2 <= N <= narrow_columns(out_dtype) and M >= 4 * N
                       and B * M * K * N >= TRANSPOSED_MIN):
        return False
    merged = _merge_strides(x.shape, x.strides, p.x_order, (1, len(p.x_free), 1))
    return merged is not None and merged[1][1] == x.itemsize and merged[1][2] != x.itemsize


def row_dots(p, x, y):
    """Whether a product runs as the rank-2 product of its ``(B, K)`` views
    (:func:`batchdot.cpu._runner_rows`): one row by one column per batch element (every free axis
    of size 1, ``M = N = 1``) of operands not both rank 2, e.g. ``(B, K) . (B, K, 1, 1)``, which
    would take the dots one masked load and lane sum a row; the rank-2 product takes the row
    dots (``W`` short rows at a time, Fortran-ordered operands down their columns).  Seed 41's
    (6628, 5) . (6628, 5, 1, 1) float32 ran 0.68 of NumPy with a core busy
    (``asv_bench/records/2026-12-07-2004-unseen-s41-busy.txt``); so, in the bench's three scenes,
    3.65-5.80x idle and busy, 1.07-1.12x after BLAS, (50000, 1, 3) . (50000, 3, 1) 1.63-18x, rows
    of 64 or 300 level (``2026-12-07-2008-row-dots-ab.txt``); first calls 0.55-0.69 s against 0.94-1.02 (``2026-12-07-2009-first-call-row-dots.txt``)."""
    return p.m == 1 and p.n == 1 and not (x.ndim == 2 and y.ndim == 2)


def narrow_columns(acc_dtype):
    """Columns up to which a product over ``x`` stored ``(B, K, M)`` runs as its transpose
    (:func:`transposes`): a quarter of the vector lanes (4 float32, 2 float64 on AVX-512; small
    integers count 32-bit lanes, as in the tiles).  By columns, one process, idle, with x
    stored (B, K, M), M = 64-992, K = 16-101, y C-ordered or stored (B, N, K)
    (`asv_bench/records/2026-12-07-0226-narrow-columns.txt`, the narrow tiles over the
    transpose): float32 1.04-2.17x at 2-4 columns, 0.83-1.70x at 6, 0.59-1.60x from 8; float64
    0.82-1.43x at 2 columns, 0.66-1.34x at 3-4, 0.49-1.18x from 6."""
    return max(1, _sum_lanes(acc_dtype) // 4)


def transposed_pair(x3, y3, out_dtype):
    """Whether a product with both operands stored transposed runs as its transpose ``y^T x^T``.

    ``y3`` (``(B, K, N)``) with its columns adjacent (``y`` stored ``(B, N, K)``, as keys in
    ``q k^T``) is read in place by the dots, one lane sum per element, or by the tiles a block
    at a time (:func:`.tiles.packs`).  Where ``x3`` has its rows adjacent too (``x``
    stored ``(B, K, M)``), the transpose (:func:`batchdot.cpu._runner_swapped`) is a tile
    product over ``y`` in place against ``x^T`` in place, writing ``out`` through its transposed
    view one element at a time: for real results (complex ones would be written a column at a
    time) of :data:`TRANSPOSED_MIN` multiply-adds and more, where ``M <= K`` (no more elements
    written so than a copy of ``y`` moves) and either ``K >= 16`` or ``2 M <= K`` (a copy of
    short rows of ``y`` is cheap).  On random such products 1.03-3.4x the copy where ``M <= K``
    idle, 0.3-1.0x mostly where ``M > K`` (`asv_bench/records/2026-12-06-2338-transposed-pairs.txt`,
    `-2339-…-all.txt`); with a core busy 0.86 where ``M`` is close to ``K < 16``, 1.0-2.5x
    elsewhere, after BLAS 0.99-2.24x (`-2340-…-busy.txt`, `-2340-…-pipeline.txt`).

    Until 2026-12-08 an ``x`` stored ``(B, M, K)`` was copied as ``x^T`` for the transpose too
    (from 6-8 rows up to ``N / 2``): against the tiles over ``y`` transposed a block at a time,
    or the dots, it ran 0.5-0.9 of them on one thread (e.g. (B, 48, 64) . (B, 256, 64)^T float32
    1.71 ms against 0.99, (B, 6, 128) . (B, 23, 128)^T float64 0.34 against 0.15), level or
    ahead only at 16 rows over 128 of K (``asv_bench/records/2026-12-08-0008-packed-or-dots-f32.txt``, ``-0010-…-f64.txt``).
    """
    (B, M, K), N = x3.shape, y3.shape[2]
    if not (out_dtype.kind in "fiu" and N >= 2 and B * M * K * N >= TRANSPOSED_MIN
            and y3.strides[1] == y3.itemsize != y3.strides[2]):
        return False
    w = _sum_lanes(out_dtype)
    return (x3.strides[1] == x3.itemsize != x3.strides[2] and 2 <= M <= K and (K >= 16 or 2 * M <= K)
            and _filled(M, w) >= _filled(N, w) + SWAP_FILL)


#: ... and where the transpose's tiles, ``M`` columns wide, fill their lanes by this much more
#: than the product's own, ``N`` wide (:func:`_filled`): since 2026-12-08 the tiles read a
#: transposed ``y`` in place (a block at a time), and the transpose, which writes ``out``
#: element by element, pays only where its tiles are fuller.  One thread
#: (``asv_bench/records/2026-12-08-0038-transposed-pairs-swap.txt``): (1324, 31, 38) . (1324,
#: 38, 77) float32 (fill 0.97 against 0.96) 5.9 ms as the transpose against 3.9 as it is;
#: (3589, 8, 55) . (3589, 55, 11) (1.0 against 0.69) 2.2 ms against 3.5 float64, 0.9 against
#: 1.25 float32; (500, 16, 64) . (500, 64, 40) float32 (1.0 against 0.83) 0.57 against 0.70;
#: the seven others, fills within 0.1 or the product's fuller: 0.98-1.0x or 1.12-1.24x as they are.
SWAP_FILL = 0.1


def _filled(n, w):
    """The share of the tiles' lanes that ``n`` columns fill with ``w`` lanes a vector:
    half-width tiles up to ``w / 2`` columns, else whole vectors."""
    unit = w // 2 if 2 * n <= w else w
    return n / (-(-n // unit) * unit)


#: A product whose operand's free axes cannot merge is split into at most this many
#: sub-products (:func:`split_candidates`), where each spares a copy of at least
#: :data:`SPLIT_BYTES` of that operand (a sub-product's call, with its parallel region, costs
#: about as much as copying that: at 32 KiB, (46, 8, 110, 2) . (46, 110) ran 0.32-0.42 of the
#: copy, at 128 KiB (64, 8, 32, 16) . (64, 32, 24) 0.80-0.90;
#: `asv_bench/records/2026-12-07-0136-split-free-axes-s1-32k.txt`, `-0138-…-s2-128k.txt`).
SPLIT_MAX = 64
SPLIT_BYTES = 256 << 10
#: ... and where the sub-products keep this many rows (``x`` split) or columns (``y`` split),
#: or the other operand is a vector: thinner products run their tiles far below their rate
#: ((19, 47, 268, 2) . (19, 268, 17) as 47 products of 2 rows: 0.38-0.44 of the copy,
#: `asv_bench/records/2026-12-07-0200-split-side-iso.txt`).
SPLIT_SIDE = 16
#: ... and where each sub-product writes runs of at least this many bytes of the result, or
#: the result is smaller than the operand spared: a sub-product of short runs touches every
#: cache line (and, first, every page) of a large result once more ((242, 107, 3) . (242, 5,
#: 3, 55) float64, runs of 440 bytes of a 57 MB result: 0.50-0.66 of the copy,
#: `-0138-split-free-axes-s3-*.txt`).
SPLIT_RUN = 4096


def split_candidates(p, x, y):
    """``(operand, axis, result axis, size)`` of the free axis to split a product along, per
    operand whose free axes do not merge into one strided axis.

    Such an operand (a free axis on each side of the contracted one, as in ``x (B, A, K, C)``
    contracted over ``K``) is copied into ``(B, A*C, K)`` order before the kernel runs
    (:func:`batchdot.cpu._canonical`).  Indexed along its outermost free axis (the largest stride:
    ``A``), the rest merge, and each index's view is a dense block per batch element
    (``x[:, a]`` is ``(B, K, C)``, ``C`` unit-stride): the product is then that many
    sub-products of views read in place (:func:`batchdot.cpu._runner_split`).  Indexed along an inner
    axis (``C``), each sub-product would read all of ``x``'s cache lines for a ``C``-th of them.
    On random such products the splits taken ran 1.03-2.84x the copy in the three scenes, but
    0.68-0.99 at the :data:`SPLIT_BYTES` bound ((64, 8, 32, 16) . (64, 32, 24) float64)
    (`asv_bench/records/2026-12-07-0140-split-free-axes-s4-*.txt`, and seed 5 drawn after the
    rule, `-0149-…-s5b-*.txt`), and its sub-products' regions give the parallel policy one verdict
    (:func:`.policy.one_call`; without it, their many short regions sent the following calls
    serial: `-0143-policy-one-call-*.txt`).
    """
    nxf = len(p.x_free)
    for which, a, free, first in (("x", x, p.x_order[1:-1], 1), ("y", y, p.y_order[2:], 1 + nxf)):
        if merge_group(a.shape, a.strides, free, 0, len(free))[2]:
            continue  # its free axes merge: read in place already
        j = max((j for j, f in enumerate(free) if a.shape[f] > 1), key=lambda j: abs(a.strides[free[j]]))
        f, n = free[j], a.shape[free[j]]
        rest = tuple(g for g in free if g != f)
        side, other = (p.m, p.n) if which == "x" else (p.n, p.m)
        if (n <= SPLIT_MAX and (side // n >= SPLIT_SIDE or other == 1)
                and merge_group(a.shape, a.strides, rest, 0, len(rest))[2]):
            yield which, f, first + j, n


#: An ``x`` whose free axes lie on both sides of its contracted one, ``(B, A, K, C)``, is read in
#: place as ``(B*A, K, C)`` against ``y`` repeated ``A`` times (:func:`fold_size`) where that
#: copy of ``y`` is at most this fraction of ``x``'s bytes, the copy of ``x`` it spares (a
#: copy of runs of ``C`` elements, about 5 ns a run in NumPy's loops).  Against ``y (B, K, N)``
#: the fraction is ``N / C``.  Products with more free rows than a split takes
#: (:data:`SPLIT_MAX`) or whose split does not pay, against the copy, idle and with a core
#: busy: at ``N / C`` = 0.25-0.5 1.11-3.8x, at 1 1.06-2.32x, at 2 0.60-1.77, at 4 0.48-0.59
#: (``asv_bench/records/2026-12-07-1809-fold-bound-ab.txt``, ``-1810-fold-beyond-bound-ab.txt``);
#: (48, 106, 5, 23) . (48, 2, 5, 4) ran 1.23-2.92x float32, 1.68-1.76x float64 in the three
#: scenes (ratio to NumPy's best 0.37-0.68 -> 0.61-1.12 float32); products a split takes are
#: unchanged (``-1719-fold-free-axes.txt``).
FOLD_SHARE = 1.0


def fold_size(p, x, y):
    """``A``, where ``x`` (``(B, A, ..., K, ...)``: free axes on both sides of the contracted
    one, so not read in place) is read as ``(B*A, ..., K, ...)`` (its batch axis and first free
    axis merge into one strided axis, its other free axes into another) against ``y``
    repeated ``A`` times, within :data:`FOLD_SHARE` of ``x``'s bytes; else None."""
    free = p.x_order[1:-1]
    if not free or free[0] != 1 or merge_group(x.shape, x.strides, free, 0, len(free))[2]:
        return None
    n, rest = x.shape[1], free[1:]
    if n < 2 or not merge_group(x.shape, x.strides, rest, 0, len(rest))[2]:
        return None
    if x.shape[0] > 1 and x.strides[0] != n * x.strides[1]:
        return None
    return n if n * y.nbytes <= FOLD_SHARE * x.nbytes else None


def split_runs_fit(run_bytes, out_bytes, spared):
    """Whether sub-products writing runs of ``run_bytes`` of a result of ``out_bytes`` may spare
    the copy of ``spared`` bytes of an operand: runs of :data:`SPLIT_RUN` bytes, or a result
    smaller than the operand.  Known before the sub-products' runner is built."""
    return run_bytes >= SPLIT_RUN or out_bytes <= spared


def split_pays(n, calls, staged, spared):
    """Whether ``n`` sub-products of ``calls`` kernel calls each, copying ``staged`` bytes each
    themselves, beat the copy of ``spared`` bytes of the operand they spare
    (:data:`SPLIT_BYTES` a call)."""
    return n * (calls * SPLIT_BYTES + staged) <= spared
