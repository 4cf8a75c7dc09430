"""``batch_dot`` on Dask arrays: lazy, chunked, local or distributed.

:func:`batch_dot` takes the same arguments as :func:`batchdot.batch_dot` (which routes here
whenever either operand is a ``dask.array.Array``) and returns a lazy Dask array with the
same shape, dtype and values as the NumPy path.  Every block is computed by calling
:func:`batchdot.batch_dot` on NumPy blocks (the Numba CPU kernels) or CuPy blocks (the
CUDA path).  Nothing runs until ``.compute()`` (or ``.persist()``, ``da.store``, ...), and
everything that can be wrong with the call is reported before that: ranks, batch sizes,
axes, contracted sizes and dtypes are checked from shapes and dtypes alone, with the
messages of the NumPy path.

Chunking rules
--------------
Write the contraction in canonical form ``(B, M, K) x (B, K, N) -> (B, M, N)``: ``B`` the
batch axis, ``M`` x's free axes, ``N`` y's free axes and ``K`` the contracted axis.  The
output block ``(b, i..., j...)`` is computed from x's blocks ``(b, i..., k)`` and y's blocks
``(b, k, j...)``.  With the limit ``L = dask.config.get("array.chunk-size")`` (128 MiB by
default), the operands are rechunked as follows, decided from chunk sizes alone by
:func:`choose_chunks`:

0. **Empty chunks.**  Zero-size chunks (what ``compute_chunk_sizes()`` leaves after a
   boolean mask, e.g. batch chunks ``(0, 1, 0, 0)``) are dropped on every axis, and an
   axis of size 0 becomes one chunk ``(0,)``: Dask's ``blockwise`` does not handle empty
   chunks beside others (it returns wrong shapes or fails at compute time).
1. **Batch axis.**  y's batch chunks are aligned to x's (when x is a NumPy operand, x's
   are aligned to y's).  Batch chunks are never merged or split: they set the
   parallelism, and they are yours to choose.
2. **Contracted axis.**  If both operands' largest blocks fit in ``L`` with the contracted
   axis whole, it becomes one chunk: every output block is one task, no reduction.
   Otherwise it is split — along x's chunks on that axis if those keep both blocks within
   ``L``, else into the fewest equal pieces that do — and y follows.  Each block pair then
   gives a partial product, and the partial products are summed by Dask's tree reduction
   (``.sum(axis=...)``, ``split_every`` from Dask's defaults), so memory per task stays
   bounded.  Partial products of float16 are carried in float32 and rounded once at the
   end; integer partial sums wrap exactly as the one-block sum does; bool partials are
   combined with ``any``.
3. **Free axes.**  Then x's free axes, then y's, are each brought to one chunk per axis if
   the operand block and the output block stay within ``L``; otherwise they keep their
   chunks, and each output block reads one block of each operand.

How to choose chunk sizes
-------------------------
- Chunk the **batch** axis (x's, y follows): it is the axis of embarrassing parallelism.
  Aim for blocks of roughly 10-100 MiB and at least a few blocks per worker thread.
- Leave the contracted and free axes to the rules above, or pre-chunk them yourself when
  one batch element is itself larger than ``L`` (then the contracted axis is split and
  summed as a tree).
- Raise or lower ``L`` with ``dask.config.set({"array.chunk-size": "64MiB"})`` around the
  call (it is read when the graph is built, not when it runs).
- A task holds one x block, one y block and one output (or partial) block, plus transient
  copies made by the kernels for non-mergeable layouts; give each worker thread memory for
  a few times ``L``.
- Each worker process runs the Numba kernels with up to ``NUMBA_NUM_THREADS`` threads per
  call; with several Dask threads per worker, set ``NUMBA_NUM_THREADS=1`` (or fewer Dask
  threads) to avoid oversubscribing cores.

``out=`` is not meaningful for a lazy result and raises :class:`TypeError`; store the
result with ``da.store(result, target)`` or ``result.compute()`` instead.

A non-Dask operand must be on the host (anything ``np.asarray`` accepts); it becomes one
Dask array whose chunks are those :func:`choose_chunks` picks.  Both operands' blocks must
live on the same side (NumPy-like blocks, or CUDA blocks such as CuPy's).
"""

from __future__ import annotations

import math

import numpy as np

from ._api import _on_cuda_device, _operand
from ._dtypes import kernel_dtype, resolve_dtypes
from ._plan import plan

__all__ = ["batch_dot", "choose_chunks"]


def _block(xb, yb, axes, out_dtype, device, kernel):
    """One output (or partial) block: the ordinary batch_dot on two NumPy/CuPy blocks."""
    from ._api import batch_dot as _batch_dot

    return _batch_dot(xb, yb, axes, dtype=out_dtype, device=device, kernel=kernel)


def _partial_block(xb, yb, axes, out_dtype, device, kernel):
    """A partial product along a new leading axis of length 1 (summed later)."""
    return _block(xb, yb, axes, out_dtype, device, kernel)[None]


def _check_known(a, name):
    if any(math.isnan(c) for cs in a.chunks for c in cs):
        raise ValueError(
            f"batch_dot requires known chunk sizes, got {name} with chunks {a.chunks}; "
            f"call {name}.compute_chunk_sizes()"
        )


def _drop_empty(chunks):
    """Chunks without zero-size chunks; an axis of size 0 keeps one chunk ``(0,)``."""
    return tuple(tuple(c for c in cs if c) or (0,) for cs in chunks)


def _largest(chunks):
    """Largest chunk of one axis (0 for an axis of size 0)."""
    return max(chunks) if chunks else 0


def _block_bytes(itemsize, *axes_chunks):
    """Bytes of the largest block whose axes have the given chunk tuples."""
    return itemsize * math.prod(_largest(c) for c in axes_chunks)


def _split(size, pieces):
    """``size`` cut into ``pieces`` near-equal chunks (as ``np.array_split``)."""
    q, r = divmod(size, pieces)
    return tuple(q + 1 if i < r else q for i in range(pieces))


def choose_chunks(p, x_chunks, y_chunks, itemsizes, limit, follow="x"):
    """The chunks :func:`batch_dot` rechunks its operands to (the module's chunking rules).

    Pure: chunk tuples in, chunk tuples out; nothing is computed.

    Parameters
    ----------
    p : ContractionPlan
        The plan of the call.
    x_chunks, y_chunks : tuple of tuple of int
        Current chunks of the operands (known sizes).
    itemsizes : tuple of int
        ``(x, y, partial)`` item sizes in bytes; ``partial`` is that of the output blocks.
    limit : int
        Target largest block, in bytes.
    follow : {"x", "y"}
        Whose batch chunks the other operand takes.

    Returns
    -------
    x_chunks, y_chunks : tuple of tuple of int
        New chunks, equal along the batch and contracted axes, with no zero-size chunk
        (an axis of size 0 is one chunk ``(0,)``).
    """
    x_chunks, y_chunks = _drop_empty(x_chunks), _drop_empty(y_chunks)
    ax, ay = p.axes
    bx, by, bo = itemsizes
    xfa = [a for a in range(1, len(p.x_shape)) if a != ax]
    yfa = [a for a in range(1, len(p.y_shape)) if a != ay]
    batch = x_chunks[0] if follow == "x" else y_chunks[0]
    xf = [x_chunks[a] for a in xfa]
    yf = [y_chunks[a] for a in yfa]

    def fits(k, xf, yf):
        return (
            _block_bytes(bx, batch, k, *xf) <= limit
            and _block_bytes(by, batch, k, *yf) <= limit
        )

    # 2. the contracted axis: whole if it fits, else x's chunks if they fit, else split
    whole = (p.contracted,)
    if fits(whole, xf, yf):
        k = whole
    elif len(x_chunks[ax]) > 1 and fits(x_chunks[ax], xf, yf):
        k = x_chunks[ax]
    else:
        per_k = max(_block_bytes(bx, batch, *xf), _block_bytes(by, batch, *yf), 1)
        piece = max(1, limit // per_k)
        k = _split(p.contracted, -(-p.contracted // piece))

    # 3. free axes, x's then y's: whole if operand and output blocks stay within the limit
    xf_whole = [(p.x_shape[a],) for a in xfa]
    if fits(k, xf_whole, yf) and _block_bytes(bo, batch, *xf_whole, *yf) <= limit:
        xf = xf_whole
    yf_whole = [(p.y_shape[a],) for a in yfa]
    if fits(k, xf, yf_whole) and _block_bytes(bo, batch, *xf, *yf_whole) <= limit:
        yf = yf_whole

    new_x = [None] * len(p.x_shape)
    new_y = [None] * len(p.y_shape)
    new_x[0] = new_y[0] = batch
    new_x[ax] = new_y[ay] = k
    for a, c in zip(xfa, xf):
        new_x[a] = c
    for a, c in zip(yfa, yf):
        new_y[a] = c
    return tuple(new_x), tuple(new_y)


def _meta(x, y, ndim, dtype):
    """A zero-size block of the result type: that of a non-NumPy (e.g. CuPy) operand, if any.

    NumPy blocks of any ndarray subclass give plain ndarrays, as :func:`batchdot.batch_dot`
    returns them.
    """
    from dask.array.utils import meta_from_array

    for a in (x, y):
        if not isinstance(a._meta, np.ndarray):
            return meta_from_array(a, ndim=ndim, dtype=dtype)
    return np.empty((0,) * ndim, dtype)


def batch_dot(x, y, axes=None, *, dtype=None, out=None, device=None, kernel=None):
    """Lazy ``batch_dot`` of Dask arrays (a host operand beside one becomes a Dask array).

    Same semantics, result shape and dtype as :func:`batchdot.batch_dot`; see the module
    docstring for the chunking rules.

    Parameters
    ----------
    x, y : dask.array.Array or array_like
        Operands of rank >= 2 with equal batch size.  Dask arrays need known chunk sizes
        (not NaN) and NumPy or CUDA (CuPy) blocks, the same kind for both; a non-Dask
        operand must be a host array_like.
    axes : None, int or pair of ints, optional
        Contracted axes, as for :func:`batchdot.batch_dot`.
    dtype : dtype-like, optional
        Accumulation and output dtype, as for :func:`batchdot.batch_dot`.
    out : None
        Must be ``None``: a lazy result has no output buffer.  Use ``da.store`` to write
        the result into an existing array.
    device : {None, "cpu", "cuda"}, optional
        Passed to :func:`batchdot.batch_dot` for every block: ``None`` follows the blocks
        (NumPy blocks on the CPU, CuPy blocks on the GPU).
    kernel : {None, "generic", "dot", "rowdot", "tile", "blas"}, optional
        Passed to :func:`batchdot.batch_dot` for every block (NumPy blocks on the CPU only).

    Returns
    -------
    dask.array.Array
        Lazy result, of the block type of the inputs (NumPy or CuPy).

    Raises
    ------
    TypeError
        ``out`` given; non-numeric dtypes; non-integer axes; unreachable ``dtype=``; a Dask
        collection that is not a Dask array; a CUDA device array beside a Dask array; blocks
        that are neither NumPy nor CUDA arrays; a forced ``kernel`` that cannot compute
        these dtypes.
    ValueError
        Unknown (NaN) chunk sizes; host blocks beside CUDA blocks; CUDA blocks with
        ``device="cpu"``; a bad ``device`` or ``kernel``; ``kernel`` on the CUDA path; the
        shape errors of :func:`batchdot.batch_dot`.
    numpy.exceptions.AxisError
        An axis out of range.

    Examples
    --------
    >>> import dask.array as da
    >>> from batchdot.dask import batch_dot
    >>> x = da.ones((1000, 20, 30), chunks=(100, 20, 30))
    >>> y = da.ones((1000, 30, 40), chunks=(250, 30, 40))
    >>> r = batch_dot(x, y)            # lazy; nothing computed yet
    >>> r.shape, r.chunks[0][:2]
    ((1000, 20, 40), (100, 100))
    >>> float(r[0, 0, 0].compute())
    30.0
    """
    import dask
    import dask.array as da
    from dask.utils import parse_bytes

    # The NumPy path's order: out, device and kernel, operand dtypes, shapes and axes, dtype=.
    if out is not None:
        raise TypeError(
            f"batch_dot requires out=None for Dask arrays (the result is lazy; use "
            f"da.store(result, target) or result.compute()), got out of type {type(out).__name__}"
        )
    if not (device is None or (isinstance(device, str) and device in ("cpu", "cuda"))):
        raise ValueError(f"batch_dot requires device to be None, 'cpu' or 'cuda', got {device!r}")
    if kernel is not None:
        from .cpu.choose import KERNELS

        if not (isinstance(kernel, str) and kernel in KERNELS):
            raise ValueError(f"batch_dot requires kernel to be one of {KERNELS}, got {kernel!r}")
    xa, ya = _dask_or_host(x, "x", da), _dask_or_host(y, "y", da)
    follow = "x" if isinstance(xa, da.Array) or not isinstance(ya, da.Array) else "y"
    on_cuda = _blocks_on_cuda(xa, ya, device, da)
    if kernel is not None and (on_cuda or device == "cuda"):
        raise ValueError(
            f"batch_dot requires kernel=None on the CUDA path (kernel= picks a CPU kernel "
            f"family), got {kernel!r}"
        )
    resolve_dtypes(xa.dtype, ya.dtype)
    for a, name in ((xa, "x"), (ya, "y")):
        if isinstance(a, da.Array):
            _check_known(a, name)
    p = plan(xa.shape, ya.shape, axes)
    out_dtype, acc_dtype = resolve_dtypes(xa.dtype, ya.dtype, dtype)
    # Partial products: float16 in float32 (rounded once at the end), everything else in
    # the output dtype (integer sums wrap identically; bool partials are OR-ed).
    part_dtype = acc_dtype if out_dtype == np.float16 else out_dtype
    if kernel is not None and p.batch * p.m * p.n and p.contracted:
        _check_kernel_fits(kernel, xa, ya, part_dtype, out_dtype)

    limit = parse_bytes(dask.config.get("array.chunk-size"))
    xc, yc = choose_chunks(
        p, _chunks_of(xa, da), _chunks_of(ya, da),
        (xa.dtype.itemsize, ya.dtype.itemsize, part_dtype.itemsize), limit, follow,
    )
    x, y = _with_chunks(xa, xc, da), _with_chunks(ya, yc, da)

    ax, ay = p.axes
    xi = ["b"] + [f"i{a}" if a != ax else "k" for a in range(1, x.ndim)]
    yi = ["b"] + [f"j{a}" if a != ay else "k" for a in range(1, y.ndim)]
    oi = ["b"] + [i for i in xi[1:] if i != "k"] + [i for i in yi[1:] if i != "k"]
    new_axes = {}
    if len(oi) == 1:  # rank-1 result is returned as (batch, 1)
        oi.append("one")
        new_axes["one"] = 1

    kwargs = dict(axes=p.axes, device=device, kernel=kernel)
    if len(x.chunks[ax]) == 1:
        return da.blockwise(
            _block, tuple(oi), x, tuple(xi), y, tuple(yi),
            new_axes=new_axes, concatenate=True, meta=_meta(x, y, len(oi), out_dtype),
            dtype=out_dtype, name=f"batch_dot-{_token(x, y, p, out_dtype, device, kernel)}",
            out_dtype=out_dtype, **kwargs,
        )
    partials = da.blockwise(
        _partial_block, ("k", *oi), x, tuple(xi), y, tuple(yi),
        new_axes=new_axes, adjust_chunks={"k": 1}, meta=_meta(x, y, len(oi) + 1, part_dtype),
        dtype=part_dtype, name=f"batch_dot-partial-{_token(x, y, p, part_dtype, device, kernel)}",
        out_dtype=part_dtype, **kwargs,
    )
    if out_dtype.kind == "b":
        return partials.any(axis=0)
    total = partials.sum(axis=0, dtype=part_dtype)
    return total if part_dtype == out_dtype else total.astype(out_dtype)


def _dask_or_host(a, name, da):
    """``a`` itself if a Dask array, else its host ndarray (checked as the NumPy path does)."""
    if isinstance(a, da.Array):
        return a
    from dask.base import is_dask_collection

    if is_dask_collection(a):
        raise TypeError(
            f"batch_dot requires Dask operands to be dask.array.Array, got {name} of type "
            f"{type(a).__module__}.{type(a).__name__}; convert it first (e.g. "
            f".to_dask_array(lengths=True) for a Dask DataFrame)"
        )
    if _on_cuda_device(a):
        raise TypeError(
            f"batch_dot requires the operand beside a Dask array to be a Dask array or a host "
            f"array, got {name} of type {type(a).__name__} (a CUDA device array); wrap CuPy arrays "
            f"with dask.array.from_array, or copy it to the host"
        )
    return _operand(a, name)


def _blocks_on_cuda(xa, ya, device, da):
    """Whether the blocks are CUDA arrays; mixed or unknown kinds of blocks are errors."""
    sides = []
    for a, name in ((xa, "x"), (ya, "y")):
        meta = a._meta if isinstance(a, da.Array) else a
        if _on_cuda_device(meta):
            sides.append("CUDA")
        elif isinstance(meta, np.ndarray):
            sides.append("host")
        else:
            raise TypeError(
                f"batch_dot requires Dask arrays of NumPy or CUDA (e.g. CuPy) blocks, got {name} "
                f"with blocks of type {type(meta).__module__}.{type(meta).__name__}"
            )
    if sides[0] != sides[1]:
        raise ValueError(
            f"batch_dot requires x and y both with host blocks or both with CUDA blocks, got x "
            f"with {sides[0]} blocks and y with {sides[1]} blocks"
        )
    if sides[0] == "CUDA" and device == "cpu":
        raise ValueError(
            "batch_dot requires host arrays, out included, with device='cpu', got a Dask array "
            "of CUDA blocks; drop device='cpu' to compute on the GPU"
        )
    return sides[0] == "CUDA"


def _check_kernel_fits(kernel, xa, ya, block_dtype, out_dtype):
    """The CPU engine's check of a forced ``kernel`` (``check_forced``), made now for the
    blocks' dtypes and ranks, as each block's call would make it at compute time; the error
    names the operands' and the result's dtypes, as the NumPy path's does."""
    from .cpu.choose import check_forced

    xk, yk, ok = kernel_dtype(xa.dtype), kernel_dtype(ya.dtype), kernel_dtype(block_dtype)
    _, acc_dtype = resolve_dtypes(xa.dtype, ya.dtype, block_dtype)
    rank2 = xa.ndim == 2 and ya.ndim == 2  # as the engine's: casts stay rank 2
    check_forced(kernel, xk, yk, ok, acc_dtype, rank2, (xa.dtype, ya.dtype, out_dtype))


def _chunks_of(a, da):
    """Chunks of a Dask array; one chunk per axis for a host array."""
    return a.chunks if isinstance(a, da.Array) else tuple((s,) for s in a.shape)


def _with_chunks(a, chunks, da):
    """Dask array ``a`` rechunked (if needed), or host array ``a`` wrapped, with ``chunks``.

    A Dask array of size 0 is replaced by zeros of its shape, type and ``chunks``: Dask's
    ``rechunk`` leaves ``(0, 0)`` as it is when asked for ``(0,)``, and the two operands'
    batch chunks must match. Its values are never read, so nothing of its graph is lost.
    """
    if isinstance(a, da.Array):
        if a.chunks == chunks:
            return a
        if a.size == 0:
            return da.zeros(a.shape, dtype=a.dtype, chunks=chunks, meta=a._meta)
        return a.rechunk(chunks)
    return da.from_array(a, chunks=chunks)


def _token(x, y, p, dtype, device, kernel):
    from dask.base import tokenize

    return tokenize(x.name, y.name, p.axes, str(dtype), device, kernel)
