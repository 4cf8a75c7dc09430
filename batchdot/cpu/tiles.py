"""The ``tile`` family: matrix products by explicit-vector register tiles (:mod:`.vector`).

``tile_span(x, y, out, zero, lo, hi)`` computes work items ``lo..hi`` of
``out[b] = x[b] @ y[b]`` on canonical views ``x (B, M, K)``, ``y (B, K, N)``,
``out (B, M, N)``; the engine's one parallel driver (:mod:`.chunks`) runs chunks of them on
Numba's threads.  A work item is a block of :data:`ROWS` rows of one batch element.

- **Any layout, one compiled kernel per dtype**: the engine compiles these with ``'A'`` array
  types, strides are runtime values, and the micro-kernels take byte offsets and strides.
  ``y`` is read in rows of vectors: with unit-stride rows (or ``N == 1``) in place; stored
  ``(B, N, K)`` (:func:`packs`) each block transposed into a buffer on the stack by the block
  kernel (:func:`_column_stride`, :func:`.vector.transpose`); any other ``y`` the engine
  stages in C order first.
- **Three tile shapes** (:func:`.vector.columns`): ``MR x 2W`` (``W`` lanes of the
  accumulation dtype) for ``N > W``, ``MR1 x W`` for narrow products (``N <= W``, e.g. batches
  of 8 x 8 float32 on AVX2; :data:`MR1W` rows where ``x``'s rows are adjacent) and
  ``MR1 x W/2`` of half-width vectors (``N <= W/2``: 8 x 8 float32 on AVX-512), so that
  small products run full tiles with plain loads and stores; the last rows of a block use
  one-row tiles.  A last block of at most ``W`` columns after two-vector blocks (``N = 24``
  float64: 16 + 8) runs one-vector tiles, not two-vector tiles half empty (one thread:
  1.07-1.40x where it applies, ``asv_bench/records/2026-12-07-1740-tail-block-iso.txt``; those
  tiles do not fuse multiply-adds, which changes that block's rounding only).  Products of at most three rows over more than ``2W`` columns take one-row
  tiles of 4 or 8 vectors instead, and of 4-5 rows 4-row tiles of 4 vectors
  (:func:`.vector.row_columns`): each K step reads a whole block of a row of ``y``, where
  two-vector tiles read ``y`` in column passes (one thread: 1.01-2.76x,
  ``asv_bench/records/2026-12-07-1214-row-tiles-shapes.txt``, ``-1225-quad-tiles-shapes.txt``);
  :func:`row_span` runs them, a span of its own (:func:`span_variant`).
- **Short K over long rows** (:func:`sweeps`): :func:`sweep_span` writes ``out`` in sweeps of
  :data:`SWEEP_ROWS` rows over every column block, a span of its own (:data:`SWEEP_K`).
- **K in blocks** of :data:`KC`: each block's sum starts from zero and is added to ``out``
  (partial sums: float32 error at large K grows like blocked BLAS's, not like one long sum),
  and a block of ``y`` (``KC x 2W``) stays in L1 while the rows of ``x`` pass over it.
- **Dtypes**: ``x`` and ``y`` of any real numeric dtype are converted on load to ``out``'s
  dtype, the accumulation dtype (float32/64, or an integer that wraps like NumPy's).
  Complex results (``complex_span``) run the same tiles on the real and imaginary parts;
  bool results (``bool_span``) count in int32 lanes; :func:`kernels_for` picks the pair.
- **Fused multiply-adds** for float sums where a work item's largest finite magnitudes show
  that nothing can overflow (:data:`FMA_INTENSITY`, :func:`.vector.absmax`), scanned before
  the item, or after it where the elements are one page each (:data:`CHECK_AFTER`: the item
  is redone unfused where the bound fails).  Copying each
  block of ``y`` into a contiguous panel first (BLIS's packing) was tried and not kept: 0-20 %
  on float32 products of 128-1024, level on float64, slower on 64 x 64 float64
  (`asv_bench/records/2026-12-06-0736-tile-pack-ab.txt`).
- **Prefetch**: during each batch element's first block of rows, the next element's ``x``,
  ``y`` and (where its rows span several column blocks) ``out`` are prefetched where each is
  one run of 4-16 KiB (:data:`PREFETCH_BYTES`; ``x`` and ``y`` not where the bound is
  checked after over one column block, :data:`CHECK_AFTER`), a share in each column block and register
  tile of the block (not by the :data:`MR1W`-row tiles): inside the K loop of fused tiles, a
  cache line of each a K step.
- **One block, one call**: the loop over the rows of a block (full tiles, then single
  rows) is LLVM code inside the intrinsic (:func:`.vector.block_kernel`).
"""

from __future__ import annotations

import numpy as np

from numba.extending import register_jitable

from .jit import jit
from .vector import KC as VECTOR_KC
from .vector import REGISTERS, VECTOR_BYTES, absmax, block_kernel, columns, fma_limit, row_columns, slot_get, slot_set, slots, tile_shape, times_i

__all__ = ["tile_span", "sweep_span", "row_span", "narrow_span", "packs", "sweeps", "span_variant", "is_narrow", "complex_span", "bool_span", "kernels_for", "ROWS", "KC", "work_items", "fuses", "may_fuse"]

#: Register tiles: MR rows x 2 vectors, and MR1 rows x 1 (full- or half-width) vector for narrow products.
MR, _NV = tile_shape(None)
MR1 = min(8, REGISTERS - 2)
#: Rows of the one-vector tiles where ``x``'s rows are adjacent (a tile's column of ``x`` is
#: one run, as in midaxis, whose ``x`` is read down its columns) and the registers hold
#: them (AVX-512: 16 x 16 float32).  On one thread they stream such products 1.04-1.23x
#: faster than MR1-row tiles (midaxis float32 1.21-1.23x, level with OpenBLAS), level in
#: cache (`asv_bench/records/2026-12-06-1847-tall-tiles-iso.txt`); midaxis float32 1.05-1.21x
#: in the bench's three scenes (`-1844-tall-tiles-ab.txt`, `-1846-…-ab2.txt`).  With ``x``'s
#: rows apart they streamed 0.91-0.95x, fused they lost streamed to the magnitude scan, and
#: prefetched they lost too (`-1833-tall-tiles-variants.txt`): those keep MR1 rows, and they
#: run unfused and without prefetch, in an LLVM function of their own (inline in the block
#: kernel they slowed small8's item loop by 6-11 %).
MR1W = 16 if REGISTERS >= 32 else MR1
#: Depth of one block of K (elements): :data:`.vector.KC`.
KC = VECTOR_KC
#: Fused multiply-adds need a scan of a work item's rows of x and of y's batch element
#: (:func:`.vector.absmax`, about one cycle per vector): taken for the wide tiles (the only
#: shape with fused bodies) where the item's multiply-adds per scanned element,
#: ``rows * N / (rows + N)``, reach this.  32 x 32 products (16) fuse: 1.3-1.5x the unfused
#: tiles on one thread with the operands in cache, 1.06-1.26x in the bench's three scenes
#: (`asv_bench/records/2026-12-06-1142-fma-scan-ab.txt`); 16 x 16 float64 ones (8, wide:
#: W = 8) fuse too: midaxis 1.07-1.19x on one thread, 16 x 16 x 16 level
#: (`asv_bench/records/2026-12-06-1231-narrow-fma.txt`).  One-vector tiles (16 x 16 float32)
#: have no fused bodies: fused, midaxis gained 0-8 % and 16 x 16 x 16 lost 22 % (there)
#: against one more body to compile per dtype.
FMA_INTENSITY = 8
#: Rows of ``out`` per work item: several tiles over one block of ``y``.
ROWS = MR * max(1, 64 // MR)

#: The block kernels by the tile shapes they compile (:func:`.vector.block_kernel`'s ``group``):
#: every shape but the few-row ones for the complex and bool spans; two-vector tiles (and
#: one-vector ones for a last block) for :func:`tile_span` and :func:`sweep_span`; one-vector
#: and half-width tiles for :func:`narrow_span`; the few-row tiles for :func:`row_span`.
_BLOCK = block_kernel(MR, MR1, MR1W)
_WIDE_BLOCK = block_kernel(MR, MR1, MR1W, group="wide")
_NARROW_BLOCK = block_kernel(MR, MR1, MR1W, group="narrow")
_ROW_BLOCK = block_kernel(MR, MR1, MR1W, group="few")
#: No prefetch in a block (:func:`.vector.block_kernel`'s ``ahead``).
_NO_AHEAD = (0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)


@register_jitable
def fuses(M, n, w):
    """Whether the tiles may fuse multiply-adds on products of ``M`` rows and ``n`` columns (reals)
    of ``w`` lanes: wide tiles reaching :data:`FMA_INTENSITY` (the scan of the operands'
    magnitudes would cost more than fusing saves below it)."""
    rows1 = min(M, ROWS)
    return columns(n, w)[0] == 2 and rows1 * n >= FMA_INTENSITY * (rows1 + n)


def may_fuse(M, N, out_dtype):
    """Whether :func:`tile_span` (:func:`complex_span` for a complex ``out_dtype``, over ``2N``
    reals) may fuse multiply-adds on products of ``M`` rows and ``N`` columns of a result of
    ``out_dtype``: :func:`fuses` over their lanes, never on the few-row tiles
    (:func:`.vector.row_columns`, :func:`row_span`)."""
    out_dtype = np.dtype(out_dtype)
    reals = out_dtype.kind == "c"
    w = VECTOR_BYTES // max(out_dtype.itemsize // (2 if reals else 1), 4)
    if reals:
        return fuses(M, 2 * N, w)
    return row_columns(M, N, w)[0] < 0 and fuses(M, N, w)


@register_jitable
def _fusing_limit(out, M, n, w):
    """:func:`.vector.fma_limit` of ``out`` where the tiles fuse multiply-adds (:func:`fuses`),
    else -1 (never)."""
    return fma_limit(out) if fuses(M, n, w) else -1.0


def work_items(B, M):
    """Work items of the tile family for ``B`` batch elements of ``M`` rows."""
    return B * ((M + ROWS - 1) // ROWS)


#: Batch elements of 4-16 KiB are prefetched (:func:`_prefetch_span`), a share in each register
#: tile of the element's first block (:func:`.vector.block_kernel`'s ``ahead``).
#: Prefetched all at once at an element's start, float64 32 x 32 and 16 x 64 elements (8 KiB)
#: ran 1.03-1.33x in the bench's three scenes, but float32 ones of one page lost 3-13 % in two
#: of three runs (`asv_bench/records/2026-12-06-1452-tile-prefetch-ab.txt`, `-1453-…-ab2.txt`,
#: `-1454-…-ab3.txt`).  Spread over the tiles, one thread streams 32 x 32 float32 products
#: 1.07-1.24x and float64 1.14-1.17x faster, close to OpenBLAS, and 16 x 64 float64 ones (two
#: tiles an element) at 0.95 of the burst
#: (`asv_bench/records/2026-12-06-1643-tile-prefetch-spread3.txt`; earlier forms of the same
#: spreading: `-1629-…-spread.txt`, `-1630-…-spread2.txt`); in the bench's three scenes small32
#: runs 1.00-1.17x, midaxis float64 0.95-1.09x, small8 0.95-0.99x
#: (`-1641-tile-prefetch-spread-ab4.txt`).  One-page
#: elements of the narrow tiles (midaxis float32: two tiles an element, so two large shares)
#: lost 14-18 % idle (`-1632-…-ab.txt`, `-1633-…-ab2.txt`): they are left out.  Smaller
#: elements (small8, squash) share pages with their neighbours.  Those runs were on Intel
#: Xeons, prefetching into L1; on an AMD EPYC (Zen 4 cores) into L2 (``vector._prefetch_lines``):
#: midaxis float64 1.09-1.22x in the three scenes, small32 float64 0.95-1.00; no prefetch there
#: lost small32 float64 5-7 % (`-0713-tile-prefetch-l2-ab.txt`, `-0716-prefetch-l2-ab-all.txt`,
#: `-0727-tile-no-prefetch-ab.txt`, all of 2026-12-07).  Not measured again on a Xeon.
#: Since 2026-12-07 the next element's ``out`` is prefetched too where its rows span several
#: column blocks (whole rows, written in one run, lost: 32 x 16 x 32 float32 0.68-0.72, the
#: hardware's prefetch follows that run), the shares are spread over the column blocks of
#: the element's first block of rows, and fused tiles (the wide ones, :data:`FMA_INTENSITY`)
#: prefetch theirs inside their K loop: a line of ``x`` and of ``y`` in each of the first K
#: steps, one of ``out`` in each of the last (:func:`.vector.block_kernel`).  With every share
#: at once before its tile, one thread streamed 32 x 32 float64 products at 0.62-0.67 of
#: ``np.matmul``, the ``out`` stream costing more than ``x``'s and ``y``'s together
#: (`asv_bench/records/2026-12-07-0929-tile-streams-amd.txt`).  ``out`` is prefetched for
#: reading: NumPy's large arrays start 16 bytes into a cache line, and a write prefetch of
#: such rows ran 32 x 32 float64 products at half the speed (`-0930-tile-prefetch-variants.txt`).
#: Results: `-0945-tile-prefetch-inside-ab.txt`, `-0944-tile-prefetch-inside-shapes.txt`.
PREFETCH_BYTES = (4096, 16384)
#: Where the next batch element's ``x`` and ``y`` prefetched together exceed this many bytes
#: and the wide tiles of an element's first block of rows take their shares (fused
#: multiply-adds possible, at least :data:`MR` rows), the shares of ``x`` and ``y`` are read
#: in, not prefetched: a line a K step, its magnitudes folded into a running maximum, and
#: the same line of the element after prefetched (:func:`.vector.block_kernel`'s ``seen``).
#: Those maxima are the next element's bound for fused multiply-adds, and its scan before its
#: tiles (:func:`.vector.absmax`: without it, unsafe, one thread ran 32 x 32 products
#: 1.12-1.28x faster) is spared.  One thread, against the scan: 32 x 32 and 24 x 24 float64
#: products 1.02-1.06x in cache, 1.09-1.21x streamed; float32 ones (one page each) 1.06-1.07x
#: in cache but 0.84-0.97 streamed, whatever the distance of the prefetch (0-8 elements on),
#: hence the bound (``asv_bench/records/2026-12-07-1640-read-ahead-iso.txt``).  Only where
#: ``x``'s rows are unit-stride: midaxis float64 (``x`` read by columns) lost 3-10 % in the
#: bench's three scenes (``-1642-read-ahead-tree-ab.txt``, ``-1644-…-ab2.txt``), and one thread
#: streaming 128 MB of such 16 x 64 x 16 products 8 %, where C-ordered ones were level and
#: 24 x 48 x 32 ones gained 10 % (``-1646-read-ahead-dram.txt``).
READ_FROM = 8192
#: Products over at most this many elements of K, of more than :data:`SWEEP_ROWS` rows whose
#: rows of ``out`` span at least :data:`SWEEP_ROW_BYTES` (:func:`sweeps`), run
#: :func:`sweep_span`: ``out`` written ``SWEEP_ROWS`` rows at a time over every column block,
#: where :func:`tile_span` writes each column block of a work item's :data:`ROWS` rows in turn
#: (as many write streams as rows, each a few lines apart).  Such products move more ``out`` than
#: ``x`` and ``y``; ``out`` beyond the caches (float64 (13, 508, 2) . (13, 2, 380), 20 MB) was
#: written at half ``np.matmul``'s rate.  In the bench's three scenes, against ``tile_span``, in
#: four runs of an hour whose noise read the same code 0.34-1.68 on memory-bound products:
#: float64 such products 1.06-4.86x but for one idle reading of 0.77, float32 ones with rows of
#: 2.4-2.8 KiB 1.01-1.86x; rows of 1-2 KiB float32 (left out) 0.85-1.39
#: (``asv_bench/records/2026-12-07-1934-sweep-span-ab.txt``, earlier forms of the same sweeps:
#: ``-1919-short-k-sweep-ab-*.txt``, ``-1922-short-k-sweep-*.txt``).  A span of its own: in
#: :func:`tile_span` the sweeps cost every tile product's first call 0.15-0.24 s more
#: (``-1934-sweep-compile.txt``).
SWEEP_K = 16
#: Rows of ``out`` written together over every column block (two tiles: a block call of one
#: tile costs more than its K steps).
SWEEP_ROWS = 2 * MR
#: ... where a row of ``out`` spans at least this many bytes (32 cache lines): shorter rows are
#: written in few column blocks, and :func:`tile_span` prefetches the next element's ``out``.
SWEEP_ROW_BYTES = 2048


def sweeps(x, y, out):
    """Whether a tile product over canonical ``x (B, M, K)``, ``y (B, K, N)`` and a real ``out``
    (not complex or bool) runs :func:`sweep_span` (:data:`SWEEP_K`)."""
    (M, K), N = x.shape[1:], y.shape[2]
    return (out.dtype.kind in "fiu" and K <= SWEEP_K and M > SWEEP_ROWS
            and N * out.dtype.itemsize >= SWEEP_ROW_BYTES)


@register_jitable
def _prefetch_span(strides, rows, cols, item, low):
    """The bytes of one batch element of an array of ``strides`` (``(B, rows, cols)``, items of
    ``item`` bytes) to prefetch: all of it where it is one run of ``low`` to
    ``PREFETCH_BYTES[1]`` bytes (non-negative strides, its two axes within it), else 0.
    (Strides and sizes, not the array: one compiled function for every operand's type.)"""
    s0, s1, s2 = strides
    span = (rows - 1) * s1 + (cols - 1) * s2 + item
    return span if s1 >= 0 and s2 >= 0 and low <= span <= PREFETCH_BYTES[1] and span <= s0 else 0


#: Fused tiles check their bound after the item (:func:`tile_span`) where ``x``'s and ``y``'s
#: batch elements are each one run of at most this many bytes (one page) and ``y`` has
#: unit-stride rows: the tiles run fused first, then :func:`.vector.absmax` reads the item's
#: operands, now in cache, and an item whose bound fails is computed again unfused over the
#: same ``out`` (the same bits as scanning first).  Where ``y`` is read in one column block,
#: ``x`` and ``y`` are left to the hardware's prefetch, which follows the tiles' runs; where it
#: is read in several, their prefetch stays (without it float64 16 x 16 x 32 lost 21 %, terminal).
#: Scanning first read each element in a burst of loads that the tiles waited for; on an AMD
#: EPYC (Zen 5) the tiles alone, without the scan or the prefetch, streamed 32 x 32 float32
#: products at OpenBLAS's rate, either one cost about a fifth
#: (``asv_bench/records/2026-12-08-0217-tile-overheads.txt``).  One thread against scanning
#: first: 32 x 32 float32 1.13-1.15x streamed and in cache, 20 x 30 x 28 float32 1.21x, 16 x 16
#: float64 1.17x (``-0223-check-after-one-thread.txt``); several column blocks, against the
#: check after in one block only: 1.00-1.21x (16 x 16 x 48 float32 1.21x, 32 x 16 x 32 float64
#: 1.19x, ``-0345-check-after-blocks-one-thread.txt``), 1.02-1.25x with a core busy or after
#: BLAS (``-0346-check-after-blocks-scenes.txt``).  The bench's three scenes: small32 float32
#: 1.09 / 1.31 / 1.25, the rest level (``-0221-check-after-tree-ab.txt``).  Elements of two
#: pages keep the scan first: the check after, tried on 2026-12-06 with the prefetch of that
#: day, had lost float64 32 x 32 (``-1422-post-scan-iso.txt``), and with today's prefetch it
#: was level (terminal).
CHECK_AFTER = 4096


@register_jitable
def _column_stride(y):
    """The block kernels' ``b_cs`` for canonical ``y (B, K, N)``: its column stride, where a block
    is transposed unless it is the item size (:func:`packs`: ``y`` stored ``(B, N, K)``); the item
    size for one column (``N == 1``: read a lane at a time in any layout)."""
    return y.strides[2] if y.shape[2] > 1 else y.itemsize


@register_jitable
def _geometry(x, y, out):
    """``(M, K, N, x's, y's and out's strides, W)`` of a real tile span's canonical ``x (B, M, K)``,
    ``y (B, K, N)`` and ``out (B, M, N)``; ``W``: the lanes of the sums (small integers are summed
    in 32-bit lanes)."""
    return (x.shape[1], x.shape[2], y.shape[2], x.strides, y.strides, out.strides,
            VECTOR_BYTES // max(out.itemsize, 4))


@jit(fastmath=frozenset())
def tile_span(x, y, out, zero, lo, hi):
    """Work items ``lo..hi`` (blocks of :data:`ROWS` rows, flat over batch) of ``out = x @ y``
    for a float or integer ``out``."""
    M, K, N, (xs0, xs1, xs2), (ys0, ys1, ys2), (os0, os1, os2), W = _geometry(x, y, out)
    shape, NR = columns(N, W)
    nib = (M + ROWS - 1) // ROWS
    limit = _fusing_limit(out, M, N, W)
    yb, ymax = -1, 0.0
    low = PREFETCH_BYTES[0] if shape == 2 else PREFETCH_BYTES[0] + 1  # one-page elements: wide tiles only
    B = x.shape[0]
    px = _prefetch_span(x.strides, M, K, x.itemsize, low)
    # (y stored (B, N, K), transposed a block at a time (packs): every size, the transposes'
    # reads jump between its rows, which the hardware does not see coming)
    py = _prefetch_span(y.strides, K, N, y.itemsize, low if ys2 == y.itemsize else 1)
    nb = (N + NR - 1) // NR
    # a last block of at most W columns after two-vector blocks: one-vector tiles (module docstring)
    tail = shape == 2 and nb > 1 and N - (nb - 1) * NR <= W
    nbw = nb - 1 if tail else nb  # the blocks that take shares of the next element
    # out where its rows are written a column block at a time (one block: rows written whole,
    # one run the hardware's prefetch follows)
    po = _prefetch_span(out.strides, M, N, out.itemsize, low) if nb > 1 else 0
    # fused first, the bound checked after (CHECK_AFTER): x's and y's elements each one run of at
    # most a page (_prefetch_span from one byte; a helper of its own cost 0.2 s to compile)
    sx, sy = _prefetch_span(x.strides, M, K, x.itemsize, 1), _prefetch_span(y.strides, K, N, y.itemsize, 1)
    after = limit > 0 and ys2 == y.itemsize and 0 < sx <= CHECK_AFTER and 0 < sy <= CHECK_AFTER
    if after and nb == 1:  # y read in one column block: x and y left to the hardware's prefetch,
        px, py = 0, 0  # which follows the tiles' runs
    pf = px > 0 or py > 0 or po > 0
    # the bound of fused multiply-adds for the next element, found while its shares are read
    # in (READ_FROM): where the wide tiles of an element's first block of rows cover them
    reading = pf and limit > 0 and min(M, ROWS) >= MR and px + py > READ_FROM and xs2 == x.itemsize
    at = slots() if reading else 0  # two float64: the next element's bounds of x and y
    ahead_b, xall = -1, -1.0
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        rows = min(M, ilo + ROWS) - ilo
        fused = after
        if limit > 0 and not after:  # float sums: fused multiply-adds where no product or sum can overflow
            if b != yb:
                read = b == ahead_b
                yb, ymax = b, (slot_get(at, 1) if read and py > 0 else absmax(y, b * ys0, ys1, ys2, K, N))
                xall = slot_get(at, 0) if read and px > 0 else -1.0  # the whole element's bound
            xm = xall if xall >= 0.0 else absmax(x, b * xs0 + ilo * xs1, xs1, xs2, rows, K)
            fused = xm * ymax * K <= limit
        # the next batch element's operands and out, while this one runs: a share in each
        # column block of its first block of rows
        nxt = pf and ilo == 0 and b + 1 < B
        more = 1 if b + 2 < B else 0  # the element after the next one, prefetched while the next is read
        if nxt and reading:
            slot_set(at, 0, 0.0)
            slot_set(at, 1, 0.0)
            ahead_b = b + 1
        while True:  # twice where the bound checked after fails (one call site of the block kernel)
            for j0 in range(0, N, NR):
                narrow = tail and j0 + NR >= N
                ahead = ((b + 1) * xs0, px, (b + 1) * ys0, py, (b + 1) * os0, po, j0 // NR, nbw, at, xs0 * more, ys0 * more) \
                    if nxt and not narrow else _NO_AHEAD
                for k0 in range(0, K, KC):  # each block of K is added to the blocks before it
                    _WIDE_BLOCK(x, b * xs0 + ilo * xs1 + k0 * xs2, xs1, xs2, y, b * ys0 + k0 * ys1 + j0 * ys2, ys1,
                           out, b * os0 + ilo * os1 + j0 * os2, os1, os2, min(KC, K - k0), min(NR, N - j0), k0 > 0,
                           rows, 1 if narrow else shape, fused, ahead, _column_stride(y))
                    ahead = _NO_AHEAD
            if not (fused and after):
                break
            if b != yb:  # the operands are in cache now: the bound of the fused sums just written
                yb, ymax = b, absmax(y, b * ys0, ys1, ys2, K, N)
            if absmax(x, b * xs0 + ilo * xs1, xs1, xs2, rows, K) * ymax * K <= limit:
                break
            fused = False  # computed again, unfused, over what the fused tiles wrote


@jit(fastmath=frozenset())
def sweep_span(x, y, out, zero, lo, hi):
    """:func:`tile_span` for products over a short K with long rows of ``out`` (:func:`sweeps`):
    the rows of each work item in sweeps of :data:`SWEEP_ROWS` rows, each over every column
    block (a last block of at most ``W`` columns in one-vector tiles); fused multiply-adds where
    the item's magnitudes allow, as there; no prefetch (the next element's ``x`` and ``y`` are
    small beside ``out``)."""
    M, K, N, (xs0, xs1, xs2), (ys0, ys1, ys2), (os0, os1, os2), W = _geometry(x, y, out)
    shape, NR = columns(N, W)
    limit = _fusing_limit(out, M, N, W)
    nib = (M + ROWS - 1) // ROWS
    nb = (N + NR - 1) // NR
    tail = shape == 2 and nb > 1 and N - (nb - 1) * NR <= W
    yb, ymax = -1, 0.0
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        rows = min(M, ilo + ROWS) - ilo
        fused = False
        if limit > 0:
            if b != yb:
                yb, ymax = b, absmax(y, b * ys0, ys1, ys2, K, N)
            fused = absmax(x, b * xs0 + ilo * xs1, xs1, xs2, rows, K) * ymax * K <= limit
        for s0 in range(ilo, ilo + rows, SWEEP_ROWS):
            for j0 in range(0, N, NR):
                for k0 in range(0, K, KC):  # (K <= SWEEP_K: one block, but any K is computed)
                    _WIDE_BLOCK(x, b * xs0 + s0 * xs1 + k0 * xs2, xs1, xs2, y, b * ys0 + k0 * ys1 + j0 * ys2, ys1,
                           out, b * os0 + s0 * os1 + j0 * os2, os1, os2, min(KC, K - k0), min(NR, N - j0), k0 > 0,
                           min(SWEEP_ROWS, ilo + rows - s0), 1 if tail and j0 + NR >= N else shape, fused, _NO_AHEAD, _column_stride(y))


@jit(fastmath=frozenset())
def narrow_span(x, y, out, zero, lo, hi):
    """:func:`tile_span` for products of at most ``W`` columns (:func:`span_variant`): half-width
    tiles (at most ``W/2`` columns) or one-vector ones (:data:`MR1W` rows where ``x``'s rows
    are adjacent), never fused (:data:`FMA_INTENSITY`), the next element's ``x`` and ``y``
    prefetched where each is one run of more than a page (as :func:`tile_span` did for them;
    any wider product runs one-vector tiles over blocks of ``W`` columns).  A span of its own,
    so that neither span compiles the other's tiles: 3419 IR instructions here, 5984 in
    :func:`tile_span` against 7488 for both (float32,
    ``asv_bench/records/2026-12-07-2203-narrow-span-code.txt``); first calls of small8 and
    midaxis 0.82-1.08 s against 1.56-2.32 (``-2200-first-call-narrow-span.txt``)."""
    M, K, N, (xs0, xs1, xs2), (ys0, ys1, ys2), (os0, os1, os2), W = _geometry(x, y, out)
    shape, NR = columns(N, W)
    if shape == 2:
        shape, NR = 1, W
    nib = (M + ROWS - 1) // ROWS
    nb = (N + NR - 1) // NR
    B = x.shape[0]
    px = _prefetch_span(x.strides, M, K, x.itemsize, PREFETCH_BYTES[0] + 1)
    py = _prefetch_span(y.strides, K, N, y.itemsize, PREFETCH_BYTES[0] + 1 if ys2 == y.itemsize else 1)  # (as tile_span's)
    pf = px > 0 or py > 0
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        rows = min(M, ilo + ROWS) - ilo
        nxt = pf and ilo == 0 and b + 1 < B  # the next element's x and y, a share in each column block
        for j0 in range(0, N, NR):
            ahead = ((b + 1) * xs0, px, (b + 1) * ys0, py, 0, 0, j0 // NR, nb, 0, 0, 0) if nxt else _NO_AHEAD
            for k0 in range(0, K, KC):  # each block of K is added to the blocks before it
                _NARROW_BLOCK(x, b * xs0 + ilo * xs1 + k0 * xs2, xs1, xs2, y, b * ys0 + k0 * ys1 + j0 * ys2, ys1,
                              out, b * os0 + ilo * os1 + j0 * os2, os1, os2, min(KC, K - k0), min(NR, N - j0),
                              k0 > 0, rows, shape, False, ahead, _column_stride(y))
                ahead = _NO_AHEAD


@jit(fastmath=frozenset())
def row_span(x, y, out, zero, lo, hi):
    """:func:`tile_span` for products of a few rows over wide rows of ``y``
    (:func:`.vector.row_columns`): one-row tiles of 4 or 8 vectors, or 4-row tiles of 4
    vectors, each K step reading a whole block of a row of ``y`` (unfused, no prefetch; any
    other product runs one-row tiles of 8 vectors).  A span of its own: compiled into
    :func:`tile_span` these tiles were a fifth of its code (9512 IR instructions against 7488
    without, ``asv_bench/records/2026-12-07-2147-few-row-span-compile.txt``), and cost the tile
    workloads' first calls 0.1-0.5 s; a few-row product's first call takes 0.63-0.67 s
    against 1.97-2.13 (``-2144-first-call-row-span.txt``)."""
    M, K, N, (xs0, xs1, xs2), (ys0, ys1, ys2), (os0, os1, os2), W = _geometry(x, y, out)
    shape, NR = row_columns(M, N, W)
    if shape < 0:
        shape, NR = 4, 8 * W
    nib = (M + ROWS - 1) // ROWS
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        rows = min(M, ilo + ROWS) - ilo
        for j0 in range(0, N, NR):
            for k0 in range(0, K, KC):  # each block of K is added to the blocks before it
                _ROW_BLOCK(x, b * xs0 + ilo * xs1 + k0 * xs2, xs1, xs2, y, b * ys0 + k0 * ys1 + j0 * ys2, ys1,
                           out, b * os0 + ilo * os1 + j0 * os2, os1, os2, min(KC, K - k0), min(NR, N - j0), k0 > 0,
                           rows, shape, False, _NO_AHEAD, y.itemsize)


@jit(fastmath=frozenset())
def complex_span(x, y, out, zero, lo, hi):
    """:func:`tile_span` for complex ``x``, ``y`` and ``out`` of one dtype, by real tiles.

    With ``x = a + ib`` and ``y = c + id``, the real view of a row of ``out`` (re, im
    interleaved, ``2N`` reals) is ``a @ Y + b @ Z``, where ``Y`` is ``y``'s own real view
    (rows ``c0, d0, c1, d1, ...``) and ``Z`` is that of ``i y`` (rows ``-d0, c0, -d1, c1, ...``):
    the products ``a c``, ``-(b d)``, ``a d``, ``b c`` of NumPy's complex multiplication
    (no fused multiply-add, so overflow gives the same ``inf``/NaN), summed in blocks of K.
    ``a`` and ``b`` are ``x.real`` and ``x.imag``, views with ``x``'s strides; a block
    of ``Z`` (``KC x NR`` reals, built per block of rows, K and columns by
    :func:`.vector.times_i`, in vectors) is the only copy.  Built one complex at a time
    until 2026-12-06, it took as long as the product where an item has one row (one-column
    products run as their transpose) and 20-30 % of 8 x 8 and 32 x 32 complex64 products
    (`asv_bench/records/2026-12-06-2321-complex-times-i-iso.txt`).  An ``out`` without
    unit-stride rows is written one complex column (two reals) at a time.
    Fused multiply-adds as in :func:`tile_span`, where the largest real and imaginary parts
    of the item's rows of ``x`` and of ``y[b]`` bound all ``2K`` products each real of
    ``out`` sums below half the largest float.
    """
    M, K, N = x.shape[1], x.shape[2], y.shape[2]
    xr, xi, yr, outr = x.real, x.imag, y.real, out.real
    R = xr.itemsize
    xs0, xs1, xs2 = x.strides
    ys0, ys1, ys2 = y.strides
    os0, os1, os2 = out.strides
    W = VECTOR_BYTES // R
    shape, NR = columns(2 * N, W)
    step = NR if (N == 1 or os2 == 2 * R) else 2  # reals of out per block of columns
    zb = np.empty((KC, NR), xr.dtype)
    nib = (M + ROWS - 1) // ROWS
    # fused multiply-adds as in tile_span, over the reals: every real product is bounded by
    # |x|'s and |y|'s largest parts, and each real of out sums 2K of them
    limit = _fusing_limit(outr, M, 2 * N, W) if xs2 == 2 * R and step == NR else -1.0
    yb, ymax = -1, 0.0
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        rows = min(M, ilo + ROWS) - ilo
        fused = False
        if limit > 0:  # rows of x and of y as runs of (re, im) reals
            if b != yb:
                yb, ymax = b, absmax(yr, b * ys0, ys1, R, K, 2 * N)
            fused = absmax(xr, b * xs0 + ilo * xs1, xs1, R, rows, 2 * K) * ymax * 2 * K <= limit
        for j0 in range(0, 2 * N, step):
            nr = min(step, 2 * N - j0)
            jc = j0 // 2
            for k0 in range(0, K, KC):
                kc = min(KC, K - k0)
                yo = b * ys0 + k0 * ys1 + jc * ys2
                times_i(yr, yo, ys1, zb, NR * R, kc, nr)
                xo = b * xs0 + ilo * xs1 + k0 * xs2
                oo = b * os0 + ilo * os1 + jc * os2
                _BLOCK(xr, xo, xs1, xs2, yr, yo, ys1, outr, oo, os1, R, kc, nr, k0 > 0,
                       rows, shape, fused, _NO_AHEAD, R)
                _BLOCK(xi, xo, xs1, xs2, zb, 0, NR * R, outr, oo, os1, R, kc, nr, True, rows, shape, fused, _NO_AHEAD, R)


#: Depth of the first block of K in :func:`bool_span`, after which it first checks whether
#: every count of the block is set (half the elements true: after 64 products each is false
#: with probability 0.75**64): dense ``(16, 512, 512)`` products 4.2-4.5x faster, ``K = 1000`` 7.5-8.1x,
#: one in six true 1.3-2.4x, one in a hundred 0.96-1.00 (one more block of K), small K 1.02-1.17x
#: (`asv_bench/records/2026-12-07-1020-bool-early-exit-ab.txt`).
BOOL_KC = 64


@jit(fastmath=frozenset())
def bool_span(x, y, out, zero, lo, hi):
    """:func:`tile_span` for a bool ``out``: a logical product, counted in 32-bit lanes.

    Each block of rows and columns is summed over K into a small int32 buffer (bool loads as
    0/1), in blocks of K of :data:`BOOL_KC`, then :data:`KC`, clipped to 0/1 between them so
    that no count can wrap, and stored as ``count != 0``; the sum stops after the first block
    of K that leaves every count of the block set (NumPy's loop stops at an element's first
    true product).
    """
    M, K, N = x.shape[1], x.shape[2], y.shape[2]
    xs0, xs1, xs2 = x.strides
    ys0, ys1, ys2 = y.strides
    W = VECTOR_BYTES // 4
    shape, NR = columns(N, W)
    buf = np.empty((ROWS, NR), np.int32)
    nib = (M + ROWS - 1) // ROWS
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        rows = min(M, ilo + ROWS) - ilo
        for j0 in range(0, N, NR):
            nr = min(NR, N - j0)
            k0, kc = 0, BOOL_KC
            while k0 < K:
                kc = min(kc, K - k0)
                _BLOCK(x, b * xs0 + ilo * xs1 + k0 * xs2, xs1, xs2, y, b * ys0 + k0 * ys1 + j0 * ys2, ys1,
                       buf, 0, NR * 4, 4, kc, nr, k0 > 0, rows, shape, False, _NO_AHEAD, _column_stride(y))
                k0, kc = k0 + kc, KC
                if k0 < K:  # clip (no count wraps), and stop where every element is true
                    every = 1
                    for i in range(rows):
                        for c in range(nr):
                            v = min(buf[i, c], 1)
                            buf[i, c] = v
                            every &= v
                    if every:
                        break
            for i in range(rows):
                for c in range(nr):
                    out[b, ilo + i, j0 + c] = buf[i, c] != 0


def kernels_for(out_dtype, variant=""):
    """The tile family's span for a result of ``out_dtype`` (a NumPy dtype); for a real result,
    ``variant`` (:func:`span_variant`) ``"sweep"``: :func:`sweep_span`, ``"rows"``: :func:`row_span`,
    ``"narrow"``: :func:`narrow_span`."""
    kind = out_dtype.kind
    if kind == "c":
        return complex_span
    if kind == "b":
        return bool_span
    return {"sweep": sweep_span, "rows": row_span, "narrow": narrow_span}.get(variant, tile_span)


@register_jitable
def is_narrow(N, itemsize):
    """Whether products of ``N`` columns of a real result of ``itemsize`` bytes run
    :func:`narrow_span` (at most one vector across)."""
    return columns(N, VECTOR_BYTES // max(itemsize, 4))[0] < 2


def packs(y, out_dtype):
    """Whether the tiles read canonical ``y (B, K, N)`` for a real result of ``out_dtype`` in
    place though its rows are not unit-stride: ``y`` stored ``(B, N, K)`` (its contracted axis
    unit-stride: the keys of ``q k^T``), each block transposed into a buffer of the block
    kernel's own (:func:`.vector.block_kernel`'s ``b_cs``), where the engine copied all of it
    transposed before (:func:`batchdot.cpu.stage`).  Not the few-row tiles (:func:`row_span`,
    up to ``8W`` columns): such products take :func:`tile_span` (:func:`span_variant`)."""
    item = y.itemsize
    return (np.dtype(out_dtype).kind in "fiu" and y.shape[1] > 1 and y.shape[2] > 1
            and y.strides[1] == item and y.strides[2] != item)


def span_variant(x, y, out):
    """The tile span for canonical ``x (B, M, K)``, ``y (B, K, N)`` and ``out``: for a real
    result, ``"narrow"`` (:func:`narrow_span`) for at most ``W`` columns, ``"rows"``
    (:func:`row_span`) for a few rows over wide rows of ``y`` (:func:`.vector.row_columns`),
    ``"sweep"`` (:func:`sweep_span`, :func:`sweeps`), else ``""`` (:func:`tile_span`; complex
    and bool results have their own spans)."""
    if out.dtype.kind not in "fiu":
        return ""
    if is_narrow(y.shape[2], out.dtype.itemsize):
        return "narrow"
    if row_columns(x.shape[1], y.shape[2], VECTOR_BYTES // max(out.dtype.itemsize, 4))[0] > 0 and not packs(y, out.dtype):
        return "rows"
    return "sweep" if sweeps(x, y, out) else ""
