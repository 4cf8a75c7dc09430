"""The ``dot`` and ``rowdot`` families: dot products by explicit-vector kernels (:mod:`.vector`).

``dot``: canonical ``x (B, M, K)`` and ``yt (B, N, K)`` (``y`` passed transposed) with the
contracted axis unit-stride in both; ``out[b, i, j] = x[b, i] . yt[b, j]``.  A work item is
one row ``(b, i)`` of ``out``; with 8 or more lanes (float32 on AVX2, both on AVX-512) its
dots run :data:`DOTS` at a time, sharing the loads of ``x[b, i]`` (of ``yt[b, 0]`` across
:data:`DOTS` rows where ``N == 1``: matrix-vector products), where the rows read in turn are
shorter than :data:`SHARED_BELOW` bytes or several rows of ``x`` read each row of ``yt`` (then
from cache); else one at a time, each row read from start to end (the hardware's
prefetchers follow one stream; :data:`SHARED_BELOW` has the measurements, from an AMD EPYC).

``rowdot``: rank-2 ``x, y (B, K)`` and ``out (B, 1)`` taken as they are (the short path of
tiny calls); a work item is one batch element.  Rows of 2 to 8 elements (6 with 8 lanes)
lying end to end run ``W`` rows at a time (:func:`.vector.short_rows`, bit for bit the single
dots' sums): (200000, K) for K = 2-6 ran 1.6-30x faster in the bench's three scenes (after
BLAS 1.6-4.2x), K = 8 float32 and int32 1.85-6.9x, where each row had cost a masked load and
a lane sum
(``asv_bench/records/2026-12-07-1450-short-rows-ab.txt``); the first call of a row dot
compiles 0.2-0.4 s more (``-1449-first-call-short-rows.txt``).

``dot`` over 2 to 8 elements (6 with 8 lanes) whose rows lie end to end against one row, as
in a stack of matrices times a stack of vectors, ``(B, M, 4) . (B, 4)``, or a vector times
matrices stored by rows, ``(B, 5) . (B, N, 5)``: :func:`short_dot_span` (a span of its own,
:func:`short_rows_fit`) runs ``W`` rows at a time against the one row
(:func:`.vector.short_rows_one`), bit for bit the single dots' sums.  Seed 37's unseen rows
(0.18-0.72 of NumPy with a core busy) ran 1.03-6.35x faster in the bench's three scenes (one
split into 42 sub-products 0.93-1.33), and their first call took 0.40-0.56 s against 0.92-1.39
(``asv_bench/records/2026-12-07-1911-short-dots-ab.txt``, ``-1909-first-call-short-dots.txt``).

Bool results (``bool_dot_span``, ``bool_rowdot_span``; :func:`kernels_for` picks them) count
the true products in int32 lanes and store ``count != 0``.  Complex operands and result of one
dtype run the same spans on complex dots (:func:`.vector.dot_kernel`: two vector sums per
dot over the interleaved reals; ``complex_rowdot_span`` for rank 2).

Operands of any real dtypes are converted on load to the result dtype, the accumulation
dtype (1- and 2-byte integers summed in 32-bit lanes, wrapping like NumPy's), as in the tiles.
Like the tiles these are compiled once per dtype for every layout (strides are runtime values,
``jit.general_signature``); the engine's choice guarantees the unit-stride contracted axis.
"""

from __future__ import annotations

import numpy as np

from numba.extending import register_jitable

from .choose import _sum_lanes, by_columns
from .jit import jit
from .tiles import KC
from .vector import (REGISTERS, VECTOR_BYTES, cols_kernel, dot_block_kernel, dot_kernel, short_k_max, short_rows,
                     short_rows_one)

__all__ = ["dot_span", "short_dot_span", "short_rows_fit", "rowdot_span", "complex_dot_span", "complex_rowdot_span", "bool_dot_span", "bool_rowdot_span", "kernels_for", "DOTS",
           "SHARED_BELOW"]

#: Dots that share the loads of one row of ``x``: 8 with 32 vector registers (AVX-512), else 4.
#: AVX-512, one thread, vecmat from memory: float64 30 GB/s with 8 against 19 GB/s with 4,
#: float32 21 GB/s with either (records/2026-12-02-1118-dot-lane-sum-ab.txt).
DOTS = 8 if REGISTERS >= 32 else 4
#: ... where the rows read in turn (of ``yt``, or of ``x`` for one column) are shorter than this
#: many bytes, or rows of ``yt`` are read by several rows of ``x`` (then from cache): longer
#: rows read once run one dot at a time, each from start to end.  On an AMD EPYC (Zen 4 cores, AVX-512), one thread,
#: no software prefetch, against ``np.einsum``: vecmat (10000, 32, 64) float32 2.6-2.9 ms one
#: at a time against 3.4-3.5 shared, float64 5.7-6.1 against 16.5-16.7, (3000, 64, 128)
#: float64 6.5-7.4 against 18.2-18.6, (20000, 16, 32) float64 2.7-2.8 against 3.7-5.6; rows
#: of 128 bytes ((20000, 16, 32) float32) 1.24-1.25 shared against 2.6-2.7
#: (``asv_bench/records/2026-12-07-0719-dot-sharing-amd.txt``).  On the Xeons of 2026-12-02..06 eight
#: shared dots had read vecmat float64 at 30 GB/s against 19 with four
#: (records/2026-12-02-1118-dot-lane-sum-ab.txt), not measured against single dots there.
SHARED_BELOW = 256
_SHARED = dot_kernel(DOTS)
#: Left-over columns of a row of ``out`` (past its blocks of ``DOTS`` shared dots): from
#: ``3/4 * DOTS`` of them, one more block over the last ``DOTS`` columns (recomputing some of
#: the block before, in the same row of ``out``: within the work item); from ``DOTS / 2``, a
#: block of ``DOTS / 2`` (:data:`_HALF`, :data:`_PAIR_HALF`); the rest single dots, each with
#: its own lane sum (before 2026-12-07 14:30 every left-over column).  One thread, q . k^T as
#: (B, M, N, K), in L2: (60, 3, 15, 40) 1.45x float32 and 1.58x float64, (60, 4, 12|13, 64)
#: 1.10-1.23x, no left-overs level (``asv_bench/records/2026-12-07-1433-dot-left-over-iso.txt``);
#: at B = 3599, 1.86-1.96x float32 idle and busy, float64 0.66-1.21 where ``np.matmul``
#: itself moved 2x between processes (``-1436-dot-left-over-scenes.txt``).  The overlapping
#: block for 1-4 columns lost ((1000, 2, 9, 100) 0.61-0.82x, ``-1424-dot-overlap-ab.txt``).
#: First call of a product on the dots: 0.87-1.01 s float32 -> 1.07-1.24 (``-1433-first-call-dot-left-over.txt``).
_HALF = dot_kernel(DOTS // 2)
#: The longest short rows (:func:`.vector.short_rows`) for 4- and 8-byte sums, as constants (a
#: function called in a kernel is one more for Numba to compile).
_KMAX4, _KMAX8 = short_k_max(VECTOR_BYTES // 4), short_k_max(VECTOR_BYTES // 8)
_SINGLE = dot_kernel(1)
register_jitable(by_columns)  # the choice's own rule, compiled into rowdot_span (and njit_entry)
#: Vectors of rows per call of the column kernel: independent sums enough to hide the add latency.
COLS = 8
#: Column kernel calls: blocks of ``COLS`` vectors of rows over ``GROUP`` columns, ``SUPER``
#: blocks of rows at a time (K <= KC), so that a thread reads ``2 * GROUP`` memory streams,
#: each about 8 KB at a time, and adds into a part of ``out`` that stays in L1.  One thread,
#: (200000, 64) Fortran-ordered: float32 7.7-8.4 ms and float64 14.8-16.4 ms (einsum 7.8-8.0
#: and 15.6-15.7) against 14-16 and 27-30 ms with one block of rows over all K
#: (records/2026-12-02-0720-fortran-rowdot-columns.txt).
SUPER, GROUP = 32, 4
_COLUMNS = cols_kernel(COLS)


def _rows_kernel(pair, half_pair):
    """``_dot_rows`` (``pair``, ``half_pair``: :data:`_PAIR`, :data:`_PAIR_HALF`) or the complex
    dots' rows (:func:`_no_pair`, a stand-in never called: the pairs type real arrays only)."""
    pairs = pair is not _no_pair

    @register_jitable
    def rows(x, yt, out, lo, hi):
        """Rows ``lo..hi`` (flat over ``B * M``) of ``out = x @ yt^T`` along a unit-stride K."""
        M, K, N = x.shape[1], x.shape[2], yt.shape[1]
        xs0, xs1 = x.strides[0], x.strides[1]
        ys0, ys1 = yt.strides[0], yt.strides[1]
        os0, os1, os2 = out.strides
        # shared loads where the rows read in turn are short, or (rows of yt) read by several rows of x
        wide = VECTOR_BYTES // max(out.itemsize, 4) >= 8
        shared = wide and (K * yt.itemsize < SHARED_BELOW or M > 1)
        shared_x = wide and K * x.itemsize < SHARED_BELOW  # rows of x, one column
        r = lo
        while r < hi:
            b = r // M
            i = r % M
            xo = b * xs0 + i * xs1
            yo = b * ys0
            oo = b * os0 + i * os1
            if N == 1 and shared_x and i + DOTS <= M and r + DOTS <= hi:  # one column: rows share yt's loads
                _SHARED(yt, yo, x, xo, xs1, K, out, oo, os1)
                r += DOTS
                continue
            j = 0
            if pairs and shared and N >= DOTS and i + 1 < M and r + 1 < hi:  # two rows of x: :data:`_PAIR`
                while j + DOTS <= N:
                    pair(x, xo, xs1, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os1, os2)
                    j += DOTS
                if 4 * (N - j) >= 3 * DOTS:  # the last DOTS columns again, overlapping the block before
                    j = N - DOTS
                    pair(x, xo, xs1, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os1, os2)
                    j = N
                elif 2 * (N - j) >= DOTS:
                    half_pair(x, xo, xs1, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os1, os2)
                    j += DOTS // 2
                while j < N:
                    _SINGLE(x, xo, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os2)
                    _SINGLE(x, xo + xs1, yt, yo + j * ys1, ys1, K, out, oo + os1 + j * os2, os2)
                    j += 1
                r += 2
                continue
            while shared and j + DOTS <= N:
                _SHARED(x, xo, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os2)
                j += DOTS
            if shared and N >= DOTS:  # the left-over columns as in the pairs above
                if 4 * (N - j) >= 3 * DOTS:
                    j = N - DOTS
                    _SHARED(x, xo, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os2)
                    j = N
                elif 2 * (N - j) >= DOTS:
                    _HALF(x, xo, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os2)
                    j += DOTS // 2
            while j < N:
                _SINGLE(x, xo, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os2)
                j += 1
            r += 1

    return rows


@register_jitable
def _no_short(a, a_off, b, b_off, K, c, c_off, c_rs):
    """:func:`_rows_of_rank2`'s stand-in for the complex row dots (never called)."""


@register_jitable
def _no_pair(x, xo, xs1, yt, yo, ys1, K, out, oo, os1, os2):
    """:func:`_rows_kernel`'s stand-in for the complex dots (never called)."""


#: Two rows of ``x`` against :data:`DOTS` rows of ``yt`` at a time, where several rows of ``x``
#: read each row of ``yt`` (:func:`.vector.dot_block_kernel`): each load of ``yt`` then serves
#: two dots.  q . k^T products on the dots ((3, 9, 245, 125), (64, 4, 128, 300), (200, 3, 96, 40)
#: as (B, M, K, N)) ran 1.08-1.49x idle, on one thread and with a core busy, level after BLAS;
#: first call of such a product 0.73-0.76 -> 0.83 s (AMD EPYC,
#: ``asv_bench/records/2026-12-07-0829-dot-pairs-ab.txt``, ``-0835-first-call-dot-pairs.txt``).
_PAIR = dot_block_kernel(2, DOTS)
#: ... and against ``DOTS / 2`` rows of ``yt``, where ``DOTS / 2`` to ``3/4 * DOTS`` columns are
#: left over (:data:`_HALF` for one row of ``x``); fewer run single dots.
_PAIR_HALF = dot_block_kernel(2, DOTS // 2)
_dot_rows = _rows_kernel(_PAIR, _PAIR_HALF)
_complex_dot_rows = _rows_kernel(_no_pair, _no_pair)


def short_rows_fit(x, yt, out):
    """Whether a real product on the dots has rows of ``2 .. short_k_max(W)`` elements lying end to
    end against one row (:func:`.vector.short_rows_one`): rows of ``x`` against one column
    (``N == 1``, at least ``W`` rows), or rows of ``yt`` (at least ``W``) against each row of ``x``.
    Those run :func:`short_dot_span`, the others :func:`dot_span`, which does not compile the
    short rows (compiled into it they cost vecmat's first call 0.1-0.5 s more,
    ``asv_bench/records/2026-12-07-1909-first-call-short-rows-in-dot-span.txt``)."""
    (M, K), N, w = x.shape[1:], yt.shape[1], _sum_lanes(out.dtype)
    if (out.dtype.kind not in "fiu" or not 2 <= K <= short_k_max(w)
            or x.strides[2] != x.itemsize or yt.strides[2] != yt.itemsize):  # (not dot_span's columns)
        return False
    return ((N == 1 and M >= w and x.strides[1] == K * x.itemsize)
            or (N >= w and yt.strides[1] == K * yt.itemsize))


@jit(fastmath=frozenset())
def dot_span(x, yt, out, zero, lo, hi):
    """Rows ``lo..hi`` (flat over ``B * M``) of ``out = x @ yt^T``.

    Vector-matrix products (M = 1) of operands stored by columns (:func:`.choose.by_columns`
    on the batch and contracted axes: a unit-stride batch axis, e.g. Fortran order) are read
    in place: for each block of batch elements, each column ``j`` of ``out`` by the column
    kernel, blocks of :data:`.tiles.KC` of K added up (the rows are batch elements then).
    """
    M, K, N = x.shape[1], x.shape[2], yt.shape[1]
    xs0, xs2, ys0, ys1, ys2 = x.strides[0], x.strides[2], yt.strides[0], yt.strides[1], yt.strides[2]
    if M == 1 and by_columns(K, xs0, xs2, x.itemsize, ys0, ys2, yt.itemsize, False):
        os0, os2 = out.strides[0], out.strides[2]
        rows = COLS * (VECTOR_BYTES // max(out.itemsize, 4))
        for b0 in range(lo, hi, rows):
            nb = min(rows, hi - b0)
            for j in range(N):
                for k0 in range(0, K, KC):
                    _COLUMNS(x, b0 * xs0 + k0 * xs2, xs2, yt, b0 * ys0 + j * ys1 + k0 * ys2, ys2, min(KC, K - k0),
                             out, b0 * os0 + j * os2, os0, nb, k0 > 0)
        return
    _dot_rows(x, yt, out, lo, hi)


@jit(fastmath=frozenset())
def short_dot_span(x, yt, out, zero, lo, hi):
    """:func:`dot_span` for products whose rows of 2 to ``short_k_max(W)`` elements lie end to end
    against one row (:func:`short_rows_fit`): ``W`` at a time (:func:`.vector.short_rows_one`),
    rows of ``x`` against one column (``N == 1``; an element's last block over its last ``W`` rows
    where they lie in the span) or rows of ``yt`` against each row of ``x`` (the last block over
    the last ``W`` columns), recomputing some with the same bits; rows at the span's ends by
    single dots.  The contracted axis is unit-stride (:func:`short_rows_fit` excludes
    :func:`dot_span`'s columns).  A span of its own, of the short rows and single dots only: the
    dots' first call compiles the short rows only where they run (in :func:`dot_span` they cost
    vecmat's first call 0.1-0.5 s, :func:`short_rows_fit`)."""
    M, K, N = x.shape[1], x.shape[2], yt.shape[1]
    xs0, xs1, ys0, ys1 = x.strides[0], x.strides[1], yt.strides[0], yt.strides[1]
    os0, os1, os2 = out.strides
    w = VECTOR_BYTES // max(out.itemsize, 4)
    short = 2 <= K <= (_KMAX4 if out.itemsize <= 4 else _KMAX8)
    short_x = short and N == 1 and xs1 == K * x.itemsize
    short_y = short and N >= w and ys1 == K * yt.itemsize
    r = lo
    while r < hi:
        b = r // M
        i = r % M
        xo, yo, oo = b * xs0 + i * xs1, b * ys0, b * os0 + i * os1
        if short_x and i + w <= M and r + w <= hi:
            short_rows_one(x, xo, yt, yo, K, out, oo, os1)
            r += w
        elif short_x and M >= w and r - (i + w - M) >= lo and r + M - i <= hi:
            # the element's last rows: the block of its last w rows, recomputing some of this
            # span's rows with the same bits
            short_rows_one(x, xo - (i + w - M) * xs1, yt, yo, K, out, oo - (i + w - M) * os1, os1)
            r += M - i
        elif short_y:
            j = 0
            while j < N:
                j = min(j, N - w)
                short_rows_one(yt, yo + j * ys1, x, xo, K, out, oo + j * os2, os2)
                j += w
            r += 1
        else:  # rows at the span's ends, single dots (and products that do not fit: never passed
            for j in range(N):  # but by the first-build verification)
                _SINGLE(x, xo, yt, yo + j * ys1, ys1, K, out, oo + j * os2, os2)
            r += 1


@jit(fastmath=frozenset())
def complex_dot_span(x, yt, out, zero, lo, hi):
    """:func:`dot_span` for complex operands and result of one dtype, along a unit-stride K
    (no column kernel: the engine stages operands stored by columns)."""
    _complex_dot_rows(x, yt, out, lo, hi)


def _rows_of_rank2(short):
    """``_rowdot_rows`` (``short``: :func:`.vector.short_rows`) or the complex row dots'
    (:func:`_no_short`, a stand-in never called: ``short_rows`` types real arrays only)."""
    real = short is not _no_short

    @register_jitable
    def rows(x, y, out, lo, hi):
        """Rows ``lo..hi`` of ``out[b, 0] = x[b] . y[b]`` along a unit-stride contracted axis;
        rows of 2 to ``short_k_max(W)`` elements lying end to end ``W`` at a time (``short``)."""
        K = x.shape[1]
        xs0, ys0, os0, os1 = x.strides[0], y.strides[0], out.strides[0], out.strides[1]
        b = lo
        w = VECTOR_BYTES // max(out.itemsize, 4)
        kmax = _KMAX4 if out.itemsize <= 4 else _KMAX8
        if real and 2 <= K <= kmax and xs0 == K * x.itemsize and ys0 == K * y.itemsize:
            while b + w <= hi:
                short(x, b * xs0, y, b * ys0, K, out, b * os0, os0)
                b += w
        while b < hi:
            _SINGLE(x, b * xs0, y, b * ys0, 0, K, out, b * os0, os1)
            b += 1

    return rows


_rowdot_rows = _rows_of_rank2(short_rows)
_complex_rowdot_rows = _rows_of_rank2(_no_short)


@jit(fastmath=frozenset())
def rowdot_span(x, y, out, zero, lo, hi):
    """Rows ``lo..hi`` of ``out[b, 0] = x[b] . y[b]`` for rank-2 ``x``, ``y``.

    Rows along a unit-stride contracted axis: one vector dot each.  Operands stored by
    columns (:func:`.choose.by_columns`: unit-stride batch axis, e.g. Fortran order): blocks
    of :data:`COLS` vectors of rows summed down the columns; up to :data:`.tiles.KC`
    columns, :data:`GROUP` columns at a time added into ``out`` (:data:`SUPER`), beyond it
    every block of rows over each block of ``KC`` columns (partial sums, as the tiles).
    """
    K = x.shape[1]
    xs0, xs1, ys0, ys1, os0 = x.strides[0], x.strides[1], y.strides[0], y.strides[1], out.strides[0]
    if by_columns(K, xs0, xs1, x.itemsize, ys0, ys1, y.itemsize, False):
        rows = COLS * (VECTOR_BYTES // max(out.itemsize, 4))
        # up to KC columns: groups of a few columns down many rows (few memory streams at a
        # time); beyond: each block of rows over blocks of KC columns (partial sums)
        span, step = (rows * SUPER, GROUP) if K <= KC else (rows, KC)
        for s0 in range(lo, hi, span):
            s1 = min(hi, s0 + span)
            for k0 in range(0, K, step):
                for b0 in range(s0, s1, rows):
                    _COLUMNS(x, b0 * xs0 + k0 * xs1, xs1, y, b0 * ys0 + k0 * ys1, ys1, min(step, K - k0), out,
                             b0 * os0, os0, min(rows, s1 - b0), k0 > 0)
        return
    _rowdot_rows(x, y, out, lo, hi)


@jit(fastmath=frozenset())
def complex_rowdot_span(x, y, out, zero, lo, hi):
    """:func:`rowdot_span` for complex operands and result of one dtype, along a unit-stride
    contracted axis (no column kernel: the engine stages operands stored by columns)."""
    _complex_rowdot_rows(x, y, out, lo, hi)


#: Elements of K per count of the bool dots: an int32 count never wraps.
_BOOL_K = 1 << 30


@jit(fastmath=frozenset())
def bool_dot_span(x, yt, out, zero, lo, hi):
    """:func:`dot_span` for bool operands and result: the dots count in int32 lanes (bool
    loads as 0/1) into a small buffer, stored as ``count != 0`` (a logical or of ands)."""
    M, K, N = x.shape[1], x.shape[2], yt.shape[1]
    xs0, xs1, xs2 = x.strides
    ys0, ys1, ys2 = yt.strides
    os0, os1, os2 = out.strides
    buf = np.empty(DOTS, np.int32)
    hit = np.empty(DOTS, np.bool_)
    for r in range(lo, hi):
        b = r // M
        i = r % M
        j = 0
        while j < N:
            n = min(DOTS, N - j)
            hit[:] = False
            for k0 in range(0, K, _BOOL_K):
                kc = min(_BOOL_K, K - k0)
                xo = b * xs0 + i * xs1 + k0 * xs2
                yo = b * ys0 + j * ys1 + k0 * ys2
                if n == DOTS:
                    _SHARED(x, xo, yt, yo, ys1, kc, buf, 0, 4)
                else:
                    for q in range(n):
                        _SINGLE(x, xo, yt, yo + q * ys1, 0, kc, buf, 4 * q, 4)
                for q in range(n):
                    hit[q] |= buf[q] != 0
            for q in range(n):
                out[b, i, j + q] = hit[q]
            j += n


@jit(fastmath=frozenset())
def bool_rowdot_span(x, y, out, zero, lo, hi):
    """:func:`rowdot_span` for bool operands and result (as :func:`bool_dot_span`)."""
    K = x.shape[1]
    xs0, xs1, ys0, ys1 = x.strides[0], x.strides[1], y.strides[0], y.strides[1]
    buf = np.empty(1, np.int32)
    for b in range(lo, hi):
        hit = False
        for k0 in range(0, K, _BOOL_K):
            _SINGLE(x, b * xs0 + k0 * xs1, y, b * ys0 + k0 * ys1, 0, min(_BOOL_K, K - k0), buf, 0, 4)
            hit |= buf[0] != 0
        out[b, 0] = hit


def kernels_for(family, out_dtype, short=False):
    """The span of ``family`` (``"dot"`` or ``"rowdot"``) for a result of ``out_dtype``; ``short``:
    the dots' span with short rows against one row (:func:`short_rows_fit`)."""
    if out_dtype.kind == "b":
        return bool_dot_span if family == "dot" else bool_rowdot_span
    if out_dtype.kind == "c":
        return complex_dot_span if family == "dot" else complex_rowdot_span
    if family == "dot":
        return short_dot_span if short else dot_span
    return rowdot_span
