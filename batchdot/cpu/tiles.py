"""The ``tile`` family: matrix products by explicit-vector register tiles (:mod:`.vector`).

``tile_span(x, y, out, zero, lo, hi)`` computes work items ``lo..hi`` of
``out[b] = x[b] @ y[b]`` on canonical views ``x (B, M, K)``, ``y (B, K, N)``,
``out (B, M, N)``; ``tile_parallel`` runs all items in a ``prange`` (the engine's driver
shape, see :mod:`.clock`).  A work item is a block of :data:`ROWS` rows of one batch element.

- **Any layout, one compiled kernel per dtype**: the engine compiles these with ``'A'`` array
  types, strides are runtime values, and the micro-kernels take byte offsets and strides.
  ``y`` must have unit-stride rows (or ``N == 1``) for vector loads; the engine stages a
  ``y`` without them in C order first.
- **Two tile shapes**: ``MR x 2W`` (``W`` lanes of the accumulation dtype) for ``N > W``, and
  ``MR1 x W`` for narrow products (``N <= W``, e.g. batches of 8 x 8 float32 on AVX2), so that
  small products run full tiles with plain loads and stores; the last rows of a block use
  one-row tiles.
- **K in blocks** of :data:`KC`: each block's sum starts from zero and is added to ``out``
  (partial sums: float32 error at large K grows like blocked BLAS's, not like one long sum),
  and a block of ``y`` (``KC x 2W``) stays in L1 while the rows of ``x`` pass over it.
- **Dtypes**: ``x`` and ``y`` of any real numeric dtype are converted on load to ``out``'s
  dtype, the accumulation dtype (float32/64, or an integer that wraps like NumPy's).
"""

from __future__ import annotations

from numba import prange

from .clock import chunk_done, cycles, gain, region_stats
from .jit import jit
from .vector import REGISTERS, VECTOR_BYTES, microkernel, tile_shape

__all__ = ["tile_span", "tile_parallel", "ROWS", "KC", "work_items"]

#: Register tiles: MR rows x 2 vectors, and MR1 rows x 1 vector for narrow products.
MR, _NV = tile_shape(None)
MR1 = min(8, REGISTERS - 2)
#: Depth of one block of K (elements).
KC = 256
#: Rows of ``out`` per work item: several tiles over one block of ``y``.
ROWS = MR * max(1, 64 // MR)

_WIDE = microkernel(MR, 2)
_WIDE_ROW = microkernel(1, 2)
_NARROW = microkernel(MR1, 1)
_NARROW_ROW = microkernel(1, 1)


def work_items(B, M):
    """Work items of the tile family for ``B`` batch elements of ``M`` rows."""
    return B * ((M + ROWS - 1) // ROWS)


@jit(fastmath=frozenset())
def tile_span(x, y, out, zero, lo, hi):
    """Work items ``lo..hi`` (blocks of :data:`ROWS` rows, flat over batch) of ``out = x @ y``."""
    M, K, N = x.shape[1], x.shape[2], y.shape[2]
    xs0, xs1, xs2 = x.strides
    os0, os1, os2 = out.strides
    W = VECTOR_BYTES // max(out.itemsize, 4)  # small integers are summed in 32-bit lanes
    narrow = N <= W
    NR = W if narrow else 2 * W
    nib = (M + ROWS - 1) // ROWS
    ys0, ys1, ys2 = y.strides
    for r in range(lo, hi):
        b = r // nib
        ilo = (r % nib) * ROWS
        ihi = min(M, ilo + ROWS)
        yo0 = b * ys0
        for j0 in range(0, N, NR):
            nr = min(NR, N - j0)
            for k0 in range(0, K, KC):
                kc = min(KC, K - k0)
                xo = b * xs0 + k0 * xs2
                yo = yo0 + j0 * ys2 + k0 * ys1
                oo = b * os0 + j0 * os2
                i = ilo
                more = k0 > 0  # add this block of K to the blocks before it
                if narrow:
                    while i + MR1 <= ihi:
                        _NARROW(x, xo + i * xs1, xs1, xs2, y, yo, ys1, out, oo + i * os1, os1, os2, kc, nr, more)
                        i += MR1
                    while i < ihi:
                        _NARROW_ROW(x, xo + i * xs1, xs1, xs2, y, yo, ys1, out, oo + i * os1, os1, os2, kc, nr, more)
                        i += 1
                else:
                    while i + MR <= ihi:
                        _WIDE(x, xo + i * xs1, xs1, xs2, y, yo, ys1, out, oo + i * os1, os1, os2, kc, nr, more)
                        i += MR
                    while i < ihi:
                        _WIDE_ROW(x, xo + i * xs1, xs1, xs2, y, yo, ys1, out, oo + i * os1, os1, os2, kc, nr, more)
                        i += 1


@jit(parallel=True, fastmath=frozenset())
def tile_parallel(x, y, out, zero, nchunks, nthreads):
    """All work items of :func:`tile_span` in ``nchunks`` chunks; returns the measured gain."""
    total = x.shape[0] * ((x.shape[1] + ROWS - 1) // ROWS)
    stats = region_stats(nthreads)
    t0 = cycles()
    for c in prange(nchunks):
        s = cycles()
        tile_span(x, y, out, zero, total * c // nchunks, total * (c + 1) // nchunks)
        chunk_done(stats, s)
    return gain(stats, cycles() - t0, nchunks)
