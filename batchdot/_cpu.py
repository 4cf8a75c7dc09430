"""Numba CPU kernels over canonical strided views ``(B, M, K) x (B, K, N) -> (B, M, N)``.

Kernels know nothing of axes.  Each family is a serial *span* function that computes a
contiguous range ``[lo, hi)`` of its work items, and a parallel driver that splits the
work items into disjoint chunks with ``prange``; the chunks write disjoint parts of ``out``
(no races, no atomics).  Every function is built by :func:`jit`, the one place where the
JIT options live.
"""

from __future__ import annotations

from numba import get_num_threads, njit, prange, types
from numba.extending import overload

#: The JIT options of every kernel.  ``fastmath`` is restricted to reassociation and
#: contraction (FMA) so that sums vectorise while NaN and Inf keep their IEEE meaning.
JIT_OPTIONS = dict(
    cache=True,
    nogil=True,
    error_model="numpy",
    boundscheck=False,
    fastmath={"reassoc", "contract"},
)


def jit(fn=None, *, parallel=False, **extra):
    """``numba.njit`` with :data:`JIT_OPTIONS` (plus ``parallel`` and any ``extra``)."""
    opts = dict(JIT_OPTIONS, parallel=parallel, **extra)
    opts["fastmath"] = set(opts["fastmath"])
    if fn is None:
        return lambda f: njit(**opts)(f)
    return njit(**opts)(fn)


def cast_to(value, like):  # pragma: no cover - replaced by the overload in jitted code
    """Convert ``value`` to the type of the scalar ``like`` (bool: ``value != 0``)."""
    raise NotImplementedError


@overload(cast_to, jit_options=dict(cache=True))
def _cast_to(value, like):
    if isinstance(like, types.Boolean):
        return lambda value, like: value != 0
    if value == like:
        return lambda value, like: value
    target = like

    def impl(value, like):
        return target(value)

    return impl


@jit
def chunk_bounds(total, nchunks, c):
    """Bounds ``[lo, hi)`` of chunk ``c`` when ``total`` items are cut into ``nchunks``."""
    return total * c // nchunks, total * (c + 1) // nchunks


# --------------------------------------------------------------------------- generic


@jit
def generic_span(x, y, out, acc0, out0, lo, hi):
    """Output elements ``lo..hi`` (flat over ``B*M*N``) by strided dot products."""
    M, K = x.shape[1], x.shape[2]
    N = y.shape[2]
    for t in range(lo, hi):
        j = t % N
        r = t // N
        i = r % M
        b = r // M
        acc = acc0
        for k in range(K):
            acc += cast_to(x[b, i, k], acc0) * cast_to(y[b, k, j], acc0)
        out[b, i, j] = cast_to(acc, out0)


@jit(parallel=True)
def generic_parallel(x, y, out, acc0, out0, nchunks):
    total = x.shape[0] * x.shape[1] * y.shape[2]
    for c in prange(nchunks):
        lo, hi = chunk_bounds(total, nchunks, c)
        generic_span(x, y, out, acc0, out0, lo, hi)
