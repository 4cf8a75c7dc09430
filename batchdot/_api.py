"""``batch_dot``: operands, routing (CPU, CUDA, Dask) and the call cache; nothing else.

Steps: look the call up in the call cache (a runner per layout of the operands); else
coerce the operands, build (or fetch) the cached plan, resolve dtypes, and hand the call to
an engine: :mod:`batchdot.cpu` (Numba), :mod:`batchdot._cuda` or :mod:`batchdot.dask`.
"""

from __future__ import annotations

import numpy as np

from ._dtypes import resolve_dtypes
from ._plan import plan

__all__ = ["batch_dot"]


def _operand(a, name):
    try:
        a = np.asarray(a)
    except (TypeError, ValueError) as e:  # ragged nested lists, objects NumPy cannot convert
        raise TypeError(f"batch_dot requires {name} to be an array or array_like, got {type(a).__name__}: {e}") from None
    if a.dtype.kind not in "biufc":
        raise TypeError(
            f"batch_dot requires numeric inputs (bool, integer, float or complex), "
            f"got {name} of dtype {a.dtype}"
        )
    return a


def _check_kernel(kernel):
    """``kernel=`` is None or a family name of ``batchdot.KERNELS`` (checked before routing)."""
    if kernel is None:
        return
    from .cpu.choose import KERNELS

    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ValueError(f"batch_dot requires kernel to be one of {KERNELS}, got {kernel!r}")


def _is_dask(a):
    return type(a).__module__.startswith("dask.")


def _on_cuda_device(a):
    # Numba's CUDA-simulator arrays carry ``__cuda_ndarray__`` but no array interface
    try:
        return hasattr(a, "__cuda_array_interface__") or getattr(a, "__cuda_ndarray__", False)
    except Exception:  # an interface that raises when read (a torch tensor that requires grad): the CUDA path reports it
        return True


def _route(x, y, out, device):
    """``"cpu"``, ``"cuda"`` or ``"dask"``: where this call runs.  Imports nothing heavy."""
    if not (device is None or (isinstance(device, str) and device in ("cpu", "cuda"))):
        raise ValueError(f"batch_dot requires device to be None, 'cpu' or 'cuda', got {device!r}")
    if _is_dask(x) or _is_dask(y):
        return "dask"
    on_device = [_on_cuda_device(a) for a in (x, y, out) if a is not None]
    if device == "cpu" and any(on_device):
        raise ValueError(
            "batch_dot requires host arrays, out included, with device='cpu', got a CUDA device "
            "array; copy it to the host first (e.g. .copy_to_host())"
        )
    if device == "cuda" or any(on_device):
        return "cuda"
    return "cpu"


def batch_dot(x, y, axes=None, *, dtype=None, out=None, device=None, kernel=None):
    """Batchwise dot product, as ``tf.keras.backend.batch_dot`` and ``mindspore.ops.batch_dot``.

    For every batch element ``b``, one axis of ``x`` is contracted with one axis of ``y``::

        out[b, i..., j...] = sum_k x[b, ..., k, ...] * y[b, ..., k, ...]

    The result has x's free axes in order, then y's free axes (y's batch axis dropped); a
    result of rank 1 is returned with shape ``(batch, 1)``.

    Parameters
    ----------
    x, y : array_like
        Operands of rank >= 2 with equal ``shape[0]`` (the batch).  Any dtype among bool,
        signed and unsigned integers, float16/32/64 and complex64/128; any memory layout.
        They are never modified.
    axes : None, int, or pair of ints, optional
        Contracted axes.  ``None`` means ``(x.ndim-1, y.ndim-1)`` if ``y.ndim == 2`` else
        ``(x.ndim-1, y.ndim-2)``; an int ``a`` means ``(a, a)``; a pair (tuple, list or 1-D
        integer array) gives one axis per operand.  Negative axes count from the end of
        their own operand; the batch axis 0 cannot be contracted.
    dtype : dtype-like, optional
        Accumulation and output dtype (e.g. float64 sums of float32 data).  Default:
        ``np.result_type(x, y)`` as for ``np.matmul``, with float16 summed in float32.
    out : numpy.ndarray, optional
        Array of exactly the result shape and dtype (any strides) to fill and return.
        May overlap ``x`` or ``y``.  A CUDA device array on the GPU path.
    device : {None, "cpu", "cuda"}, optional
        ``None`` follows the inputs: CUDA device arrays (anything exposing
        ``__cuda_array_interface__``) run on the GPU and stay there; host arrays run on the
        CPU.  ``"cuda"`` copies host inputs to the GPU and returns a NumPy array;
        ``"cpu"`` forces the CPU path.  Dask arrays give a lazy Dask array
        (see :mod:`batchdot.dask`).
    kernel : {None, "generic", "dot", "rowdot", "tile", "blas"}, optional
        Force a CPU kernel family instead of the automatic choice (for benchmarks and
        tests; the choice is logged at DEBUG level on the ``batchdot`` logger).  The list is
        ``batchdot.KERNELS``.

    Returns
    -------
    numpy.ndarray
        The batchwise dot product (``out`` if given).

    Raises
    ------
    ValueError
        Rank < 2, unequal batch sizes, contracted batch axis, unequal contracted sizes,
        malformed axes, ``out`` of wrong shape or read-only.
    numpy.exceptions.AxisError
        An axis out of range for its operand.
    TypeError
        Non-numeric dtypes, non-integer axes, a ``dtype=`` not reachable by same-kind casting,
        ``out`` of the wrong dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from batchdot import batch_dot
    >>> batch_dot(np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]]), axes=1)
    array([[17],
           [53]])
    """
    if (type(x) is _ndarray and type(y) is _ndarray and out is None and dtype is None and kernel is None
            and device is None and (axes is None or type(axes) is int)):  # the shortest path: a repeated plain call
        run = _RUNNERS.get((x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, axes))
        if run is not None:
            return run(x, y)
    key = None
    if ((device is None or type(device) is str and device == "cpu") and type(x) is _ndarray and type(y) is _ndarray
            and (out is None or type(out) is _ndarray)):  # host arrays: device='cpu' changes nothing
        if dtype is None and kernel is None and (axes is None or type(axes) is int):  # the short path
            key = (x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, axes)
        else:
            key = _runner_key(x, y, axes, dtype, kernel)
        if key is not None:
            run = _RUNNERS.get(key)
            if run is not None:
                return run(x, y) if out is None else run.into(x, y, out)
    _check_kernel(kernel)
    where = _route(x, y, out, device)
    if where == "dask":
        from .dask import batch_dot as dask_batch_dot

        return dask_batch_dot(x, y, axes, dtype=dtype, out=out, device=device, kernel=kernel)
    if where == "cuda":
        from ._cuda import batch_dot_cuda

        return batch_dot_cuda(x, y, axes, dtype=dtype, out=out, device=device, kernel=kernel)
    x = _operand(x, "x")
    y = _operand(y, "y")
    p = plan(x.shape, y.shape, axes)
    out_dtype, acc_dtype = resolve_dtypes(x.dtype, y.dtype, dtype)
    from . import cpu  # Numba is imported on the first CPU call, not by ``import batchdot``

    if out is not None and type(out) is not _ndarray:  # checked before anything is built for it
        return cpu.execute_out(p, x, y, cpu.prepare_out(out, p, out_dtype), out_dtype, acc_dtype, kernel)
    run = None
    if key is None:  # axes of NumPy integers or an array, array_likes, subclasses, device='cpu' spelled otherwise:
        # keyed on what the call resolved to (the converted operands, the plan's axes)
        key = ("resolved", x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, p.axes, out_dtype, acc_dtype,
               kernel)
        run = _RUNNERS.get(key)
    if run is None:
        run = cpu.runner(p, x, y, out_dtype, acc_dtype, kernel)
        if len(_RUNNERS) >= _RUNNERS_MAX:
            _RUNNERS.clear()
        _RUNNERS[key] = run
    return run(x, y) if out is None else run.into(x, y, out)


# --------------------------------------------------------------------------- call cache

#: (shapes, strides, dtypes, axes[, dtype, kernel]) -> runner, or ("resolved", shapes, strides,
#: dtypes of the converted operands, the plan's axes, result and accumulation dtypes, kernel)
#: for calls off the short key; cleared when it grows past max.
_RUNNERS = {}
_RUNNERS_MAX = 4096


def _runner_key(x, y, axes, dtype, kernel):
    """Cache key for a call, or None when the call cannot use the cache.

    Only plain ndarrays, and only axes of exactly ``None``/``int``/``(int, int)``/``[int, int]``:
    ``True``, ``1.0`` and ``1`` hash alike, so anything else takes the validating path every
    time.  ``dtype`` may be a dtype, a type (``np.float64``, ``float``) or a string; it is keyed
    as the dtype it names.  Shapes, strides and dtypes fix everything a runner decides (the
    kernel family, views or copies, the compiled entry point's types: the kernels take their
    operands as read-only, unaligned ``'A'`` arrays, so writeability and alignment do not
    count).  A call without ``dtype=`` and ``kernel=`` has the short key that
    :func:`batch_dot` builds inline.
    """
    if type(x) is not _ndarray or type(y) is not _ndarray or not (kernel is None or type(kernel) is str):
        return None
    if type(axes) is list:
        axes = tuple(axes)
    if not (axes is None or type(axes) is int
            or (type(axes) is tuple and len(axes) == 2 and type(axes[0]) is int and type(axes[1]) is int)):
        return None
    if not (dtype is None or isinstance(dtype, np.dtype)):
        if type(dtype) is not type and type(dtype) is not str:
            return None
        try:
            dtype = np.dtype(dtype)
        except TypeError:  # the validating path reports it
            return None
    key = (x.shape, x.strides, x.dtype, y.shape, y.strides, y.dtype, axes)
    return key if dtype is None and kernel is None else key + (dtype, kernel)


_ndarray = np.ndarray
