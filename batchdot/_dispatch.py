"""``batch_dot``: from user input to a planned kernel call.  The one place that decides.

Steps: coerce the operands, build (or fetch) the cached plan, resolve dtypes, prepare
``out``, take canonical views, choose a kernel family and a serial/parallel split, run.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from ._dtypes import kernel_dtype, resolve_dtypes
from ._plan import plan

__all__ = ["batch_dot"]

log = logging.getLogger("batchdot")

#: Below this many multiply-adds a call runs serially: a parallel region costs more.
SERIAL_CUTOFF = 1 << 15
#: Chunks per thread in parallel regions (load balance against scheduling cost).
CHUNKS_PER_THREAD = 4

# The workqueue threading layer aborts the process on concurrent parallel regions; if Numba
# picked it (no OpenMP/TBB), parallel regions are serialised with this lock.
_PARALLEL_LOCK = threading.Lock()
_layer_is_threadsafe = None


def _operand(a, name):
    a = np.asarray(a)
    if a.dtype.kind not in "biufc":
        raise TypeError(
            f"batch_dot requires numeric inputs (bool, integer, float or complex), "
            f"got {name} of dtype {a.dtype}"
        )
    return a


def _kernel_operand(a):
    """``a`` in a dtype the kernels take: native byte order, float16 widened (copies)."""
    kd = kernel_dtype(a.dtype)
    return a if kd == a.dtype else a.astype(kd)


def _prepare_out(out, p, out_dtype):
    if out is None:
        return np.empty(p.out_shape, out_dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"batch_dot requires out to be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != p.out_shape:
        raise ValueError(f"batch_dot requires out of shape {p.out_shape}, got out of shape {out.shape}")
    if out.dtype != out_dtype:
        raise TypeError(f"batch_dot requires out of dtype {out_dtype}, got out of dtype {out.dtype}")
    if not out.flags.writeable:
        raise ValueError("batch_dot requires a writeable out, got a read-only array")
    return out


def _run_parallel(kernel, *args):
    global _layer_is_threadsafe
    if _layer_is_threadsafe:
        return kernel(*args)
    with _PARALLEL_LOCK:
        kernel(*args)
        import numba

        _layer_is_threadsafe = numba.threading_layer() != "workqueue"


def execute(x3, y3, out3, acc_dtype):
    """Run the kernels on canonical views; ``out3`` is a writeable ``(B, M, N)`` view."""
    from . import _cpu  # Numba is imported on the first call, not by ``import batchdot``

    B, M, K = x3.shape
    N = y3.shape[2]
    acc0 = acc_dtype.type(0)
    out0 = out3.dtype.type(0)
    total = B * M * N
    nthreads = _cpu.get_num_threads()
    if nthreads == 1 or total * K < SERIAL_CUTOFF or total == 1:
        log.debug("generic serial B=%d M=%d K=%d N=%d", B, M, K, N)
        _cpu.generic_span(x3, y3, out3, acc0, out0, 0, total)
    else:
        nchunks = min(total, nthreads * CHUNKS_PER_THREAD)
        log.debug("generic parallel B=%d M=%d K=%d N=%d chunks=%d", B, M, K, N, nchunks)
        _run_parallel(_cpu.generic_parallel, x3, y3, out3, acc0, out0, nchunks)


def _is_dask(a):
    return type(a).__module__.startswith("dask.")


def _on_cuda_device(a):
    # Numba's CUDA-simulator arrays carry ``__cuda_ndarray__`` but no array interface
    return hasattr(a, "__cuda_array_interface__") or getattr(a, "__cuda_ndarray__", False)


def _route(x, y, out, device):
    """``"cpu"``, ``"cuda"`` or ``"dask"``: where this call runs.  Imports nothing heavy."""
    if device not in (None, "cpu", "cuda"):
        raise ValueError(f"batch_dot requires device to be None, 'cpu' or 'cuda', got {device!r}")
    if _is_dask(x) or _is_dask(y):
        return "dask"
    on_device = [_on_cuda_device(a) for a in (x, y)]
    if device == "cpu" and any(on_device):
        raise ValueError(
            "batch_dot requires host inputs with device='cpu', got a CUDA device array; "
            "copy it to the host first (e.g. .copy_to_host())"
        )
    if device == "cuda" or any(on_device) or (out is not None and _on_cuda_device(out)):
        return "cuda"
    return "cpu"


def batch_dot(x, y, axes=None, *, dtype=None, out=None, device=None):
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
    where = _route(x, y, out, device)
    if where == "dask":
        from .dask import batch_dot as dask_batch_dot

        return dask_batch_dot(x, y, axes, dtype=dtype, out=out, device=device)
    if where == "cuda":
        from ._cuda import batch_dot_cuda

        return batch_dot_cuda(x, y, axes, dtype=dtype, out=out, device=device)
    x = _operand(x, "x")
    y = _operand(y, "y")
    p = plan(x.shape, y.shape, axes)
    out_dtype, acc_dtype = resolve_dtypes(x.dtype, y.dtype, dtype)
    result = _prepare_out(out, p, out_dtype)
    if result.size == 0:
        return result
    if p.contracted == 0:
        result[...] = 0
        return result

    x3, y3, _ = p.canonical(_kernel_operand(x), _kernel_operand(y))
    out3 = None
    if out is None or not (np.may_share_memory(out, x) or np.may_share_memory(out, y)):
        out3 = p.canonical_out(result)
    if out3 is None or out3.dtype != kernel_dtype(out3.dtype):
        # out's strides admit no (B, M, N) view, it overlaps an input, or it is float16
        tmp = np.empty((p.batch, p.m, p.n), kernel_dtype(out_dtype))
        execute(x3, y3, tmp, acc_dtype)
        result[...] = tmp.reshape(p.out_shape)
    else:
        execute(x3, y3, out3, acc_dtype)
    return result
