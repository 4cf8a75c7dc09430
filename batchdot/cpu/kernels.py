"""Numba CPU kernel families over canonical strided views ``(B, M, K) x (B, K, N) -> (B, M, N)``.

Kernels know nothing of axes.  Every family is a span function per kind of result, with one
calling convention::

    span(x, y, out, zero, lo, hi)                  # work items lo..hi, serially

``zero`` is a zero of the accumulation dtype.  The engine's one parallel driver
(:mod:`batchdot.cpu.chunks`) runs disjoint chunks of the items of any span on Numba's
threads (no races, no atomics) and measures the region's speed-up (:mod:`batchdot.cpu.clock`).
Families:

``generic``
    Any dtypes (cast on load to the accumulation dtype), any strides.  Items: output
    elements.
``dot``
    Real operands with a float or integer result (converted on load as in ``tile``), bool
    operands and result (counted, stored as ``count != 0``), or complex operands and result
    of one dtype (complex dots over the interleaved reals), contracted axis contiguous in both (``y`` is passed transposed, ``(B, N, K)``).  Row dots and vector-matrix products: explicit-vector
    dots, :data:`.dots.DOTS` at a time sharing loads where rows are short or read from cache
    (:data:`.dots.SHARED_BELOW`), else one at a time (:mod:`batchdot.cpu.dots`).  Items: rows of out.
``rowdot``
    The ``dot`` family for rank-2 operands, which it takes as they are: ``x, y (B, K)``,
    ``out (B, 1)``, no reshaped views (the short path of tiny calls).  Operands whose batch
    axis is unit-stride instead (Fortran order) are read down their columns, a vector of
    rows at a time (:func:`batchdot.cpu.choose.by_columns`).  Items: batch elements.
``tile``
    Real operands of any dtypes with a float, integer or bool result, or complex operands
    and result of one dtype; ``y`` with unit-stride rows, or (real results) stored ``(B, N, K)``:
    explicit-vector register tiles (:mod:`batchdot.cpu.tiles`), one compiled kernel per
    dtype for every layout.  Items: blocks of rows of one batch element.

Tiny calls (:func:`batchdot.cpu.choose.tiny`: float, complex or bool products of at most a
few hundred multiply-adds) run :func:`tiny_products` / :func:`tiny_complex_products`, scalar
loops that sum bit for bit as the tiles do (float16: :mod:`batchdot.cpu.halves`), without the
tiles' set-up; the bench and the logs name them ``tiny`` (``half`` for float16).

:mod:`batchdot.cpu.choose` chooses the family, :mod:`batchdot.cpu.policy` the threads;
:mod:`batchdot.cpu.dots` and :mod:`batchdot.cpu.tiles` hold the
explicit-vector families. 
"""

from __future__ import annotations

from numba import types
from numba.extending import overload

from . import dots, tiles
from .jit import jit
from .tiles import KC
from .vector import magnitude, prefetch, transpose

__all__ = ["family_kernels", "variant", "VARIANTS", "work_items", "largest_magnitude", "transposed_copy"]


def cast_to(value, like):
    """Convert ``value`` to the type of the scalar ``like`` (jitted code uses the overload)."""
    return type(like)(value)


@overload(cast_to, jit_options=dict(cache=True))
def _cast_to(value, like):
    if value == like:
        return lambda value, like: value
    target = like

    def impl(value, like):
        return target(value)

    return impl


def store_cast(value, arr):
    """Convert ``value`` to ``arr``'s element type, bool as ``value != 0`` (jitted code uses the overload)."""
    return value != 0 if arr.dtype.kind == "b" else arr.dtype.type(value)


@overload(store_cast, jit_options=dict(cache=True))
def _store_cast(value, arr):
    if isinstance(arr.dtype, types.Boolean):
        return lambda value, arr: value != 0
    target = arr.dtype

    def impl(value, arr):
        return target(value)

    return impl


@jit
def generic_span(x, y, out, zero, lo, hi):
    """Output elements ``lo..hi`` (flat over ``B*M*N``) by strided dot products."""
    M, K = x.shape[1], x.shape[2]
    N = y.shape[2]
    for t in range(lo, hi):
        j = t % N
        r = t // N
        i = r % M
        b = r // M
        acc = zero
        for k0 in range(0, K, KC):  # blocks of KC terms summed from zero: float error ~ (KC + K/KC) eps
            part = zero
            for k in range(k0, min(k0 + KC, K)):
                part += cast_to(x[b, i, k], zero) * cast_to(y[b, k, j], zero)
            acc += part
        out[b, i, j] = store_cast(acc, out)


@jit(fastmath=frozenset())
def tiny_products(x, y, out, zero):
    """``out[b] = x[b] @ y[b]`` for real or bool ``x (B, M, K)``, ``y (B, K, N)`` of any
    strides (tiny calls), bit for bit as the tiles sum a block of ``K``: each element in turn
    from zero, products and sums separate."""
    B, M, K = x.shape
    N = y.shape[2]
    for b in range(B):
        for i in range(M):
            for j in range(N):
                acc = zero
                for k in range(K):
                    acc += cast_to(x[b, i, k], zero) * cast_to(y[b, k, j], zero)
                out[b, i, j] = store_cast(acc, out)


@jit(fastmath=frozenset())
def tiny_complex_products(x, y, out, zero):
    """:func:`tiny_products` for complex operands and result of one dtype, bit for bit as the
    complex tiles: the real parts of ``x`` against ``y``, then the imaginary parts against
    ``i y``, each a sum from zero, added."""
    B, M, K = x.shape
    N = y.shape[2]
    z = zero.real
    for b in range(B):
        for i in range(M):
            for j in range(N):
                rr, ri, ir_, ii = z, z, z, z
                for k in range(K):
                    a, c = x[b, i, k], y[b, k, j]
                    rr += a.real * c.real
                    ri += a.real * c.imag
                for k in range(K):
                    a, c = x[b, i, k], y[b, k, j]
                    ir_ += a.imag * -c.imag
                    ii += a.imag * c.real
                out[b, i, j] = complex(rr + ir_, ri + ii)


def family_kernels(family, out_dtype, variant=""):
    """The span of ``family`` for a result (the kernel's ``out``) of ``out_dtype``; ``variant``
    (:func:`variant`): another span of the family, compiled only where it runs: ``"short"``,
    the dots' for short rows end to end against one row (:func:`.dots.short_rows_fit`);
    ``"sweep"``, the tiles' sweeps of rows over a short K (:func:`.tiles.sweeps`); ``"rows"``,
    the tiles' few-row tiles (:func:`.tiles.row_span`); ``"narrow"``, the tiles of at most one
    vector across (:func:`.tiles.narrow_span`).

    Every family is compiled once per dtype for every layout (``jit.general_signature``:
    strides are runtime values); ``tile``, ``dot`` and ``rowdot`` have one span per kind of
    result (:func:`.tiles.kernels_for`, :func:`.dots.kernels_for`).  The one parallel driver
    (:mod:`.chunks`) runs any of them.
    """
    if family == "tile":
        return tiles.kernels_for(out_dtype, variant)
    if family in ("dot", "rowdot"):
        return dots.kernels_for(family, out_dtype, variant == "short")
    return generic_span


#: The spans of each family beside its first (:func:`family_kernels`' ``variant``).
VARIANTS = {"tile": ("", "sweep", "rows", "narrow"), "dot": ("", "short")}


def variant(family, x3, yk, out3):
    """The ``variant`` of :func:`family_kernels` for a product of ``family`` on canonical
    ``x3``, ``yk`` (the family's second operand) and ``out3``."""
    if family == "dot":
        return "short" if dots.short_rows_fit(x3, yk, out3) else ""
    if family == "tile":
        return tiles.span_variant(x3, yk, out3)
    return ""


def work_items(family, B, M, N):
    """How many work items the family's span functions count for a ``(B, M, N)`` output."""
    if family == "generic":
        return B * M * N
    if family == "dot":
        return B * M
    if family == "rowdot":
        return B
    return tiles.work_items(B, M)


@jit
def largest_magnitude(a):
    """``max |a|`` of a 1-D unit-stride float array: NaN if ``a`` holds NaN, else inf if it holds
    inf (:func:`.vector.magnitude`, one thread, no parallel region)."""
    return magnitude(a, 0, 0, a.itemsize, 1, a.shape[0])


@jit
def transposed_copy(src, dst):
    """``dst[...] = src`` for a ``src (B, R, C)`` whose axis 1 is unit-stride and a C-ordered
    ``dst`` of its shape: each batch element by :func:`.vector.transpose` (vector squares), the
    next one prefetched while it runs (one thread).  The engine's copy of an operand stored
    transposed where it still copies one (``batchdot.cpu.stage``: e.g. for the dots forced on
    it, or complex and bool tile products; real tile products read it in place)."""
    B, R, C = src.shape
    s0, s1, s2 = src.strides
    d0, d1 = dst.strides[0], dst.strides[1]
    span = (R - 1) * s1 + (C - 1) * s2 + src.itemsize
    ahead = span if 0 < span <= s0 else 0  # (an element as one run of memory: prefetched whole)
    for b in range(B):
        if ahead > 0 and b + 1 < B:
            prefetch(src, (b + 1) * s0, ahead)
        transpose(src, b * s0, s2, dst, b * d0, d1, R, C)
