"""``batch_dot``: from user input to a planned kernel call.  The one place that decides.

Steps: coerce the operands, build (or fetch) the cached plan, resolve dtypes, prepare
``out``, take canonical views, choose a kernel family and a serial/parallel split, run.
"""

from __future__ import annotations

import functools
import logging
import threading

import numpy as np

from ._codegen import MAIN_TILES
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


def check_out(out, p, out_dtype):
    """Shape and dtype of ``out`` (a host or a device array) against the plan."""
    if tuple(out.shape) != p.out_shape:
        raise ValueError(f"batch_dot requires out of shape {p.out_shape}, got out of shape {tuple(out.shape)}")
    if np.dtype(out.dtype) != out_dtype:
        raise TypeError(f"batch_dot requires out of dtype {out_dtype}, got out of dtype {out.dtype}")


def _prepare_out(out, p, out_dtype):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"batch_dot requires out to be a numpy.ndarray, got {type(out).__name__}")
    check_out(out, p, out_dtype)
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


# --------------------------------------------------------------------------- kernel choice

#: Families that may be forced with ``kernel=`` (``"tile"``: the tile the heuristics pick),
#: and the generated tiles, which may be forced by name.
KERNELS = ("generic", "dot", "tile", "blas")
TILE_KERNELS = tuple("tile:%dx%d" % t for t in MAIN_TILES)
_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
#: Register tile (MR, NR) by item size, then by the smallest N it suits, largest first.
#: Evidence: ``python -m batchdot bench --tiles`` (README, Performance).  With N >= 32,
#: float32 8x32 beat 4x32 by 4-17 % on small32 and large512 and tied on squash; float64
#: 4x32 beat 8x32 and 8x16 by 27-37 % on small32 (8x32 float64 needs 32 accumulators).
_TILES = {
    4: ((32, (8, 32)), (16, (8, 16)), (0, (8, 8))),
    8: ((32, (4, 32)), (16, (8, 16)), (0, (8, 8))),
}
#: A contraction at least this large in M, N and K goes to BLAS (cache-blocked GEMM) when
#: one batch element of ``y`` (K x N) does not fit in the L2 cache: the unblocked tiles
#: read all of ``y[b]`` once per block of MR rows.  Measured on this VM (2 threads, 1 MiB L2,
#: ``np.matmul`` vs tiles, interleaved): tiles won 1.04-1.43x on square batches of n = 128-384
#: (float32) and n = 128-256 (float64), tied at float32 n = 512 (y[b] = 1 MiB), and lost
#: 0.4-0.96x once y[b] reached 2-12 MiB (README, Performance).
BLAS_MIN = 128


@functools.cache
def l2_bytes():
    """Per-core L2 cache size from Linux's sysfs, or 1 MiB where it cannot be read."""
    try:
        with open("/sys/devices/system/cpu/cpu0/cache/index2/size") as f:
            text = f.read().strip()
        return int(text[:-1]) << {"K": 10, "M": 20}[text[-1]]
    except (OSError, ValueError, KeyError, IndexError):
        return 1 << 20


def _tile_for(n, itemsize):
    for n_min, tile in _TILES[itemsize]:
        if n >= n_min:
            return tile
    raise AssertionError("unreachable")


def choose_kernel(B, M, K, N, x3, y3, out_dtype, acc_dtype, forced=None, rank2=False):
    """The kernel family for one contraction: the one place this is decided.

    Never asks for a copy: every family runs on the strided canonical views (``tile`` is
    fastest when ``y`` is C-contiguous, ``dot`` when the contracted axis is contiguous in
    both).  ``forced`` (the ``kernel=`` argument) overrides the heuristics.  ``rank2``: the
    operands are the user's own rank-2 arrays with no dtype casts, so ``dot`` becomes
    ``rowdot``, which takes them as they are.
    """
    family = _choose(B, M, K, N, x3, y3, out_dtype, acc_dtype, forced)
    return "rowdot" if family == "dot" and rank2 else family


def _choose(B, M, K, N, x3, y3, out_dtype, acc_dtype, forced):
    dt = x3.dtype
    same_float = dt in _FAST_DTYPES and y3.dtype == dt and out_dtype == dt and acc_dtype == dt
    if forced is not None:
        if forced not in KERNELS + TILE_KERNELS:
            raise ValueError(f"batch_dot requires kernel to be one of {KERNELS + TILE_KERNELS}, got {forced!r}")
        if forced != "generic" and not same_float:
            raise TypeError(
                f"batch_dot requires float32 or float64 operands and result of one dtype for "
                f"kernel={forced!r}, got {x3.dtype}, {y3.dtype} -> {out_dtype}"
            )
        return "tile:%dx%d" % _tile_for(N, dt.itemsize) if forced == "tile" else forced
    if not same_float:
        return "generic"
    item = dt.itemsize
    if min(M, N, K) >= BLAS_MIN and K * N * item > l2_bytes():
        return "blas"
    k_contiguous = K == 1 or (x3.strides[2] == item and y3.strides[1] == item)
    if k_contiguous and (M == 1 or N == 1 or not y3.flags.c_contiguous):
        return "dot"
    if y3.strides[2] == item or N == 1:
        tile = _tile_for(N, item)
        return ("tile1:%dx%d" if (M, N) == tile else "tile:%dx%d") % tile
    return "generic"


# --------------------------------------------------------------------------- verification

_verified = {}
_verify_lock = threading.Lock()


def _like(a, shape, rng):
    """Random array of ``shape`` typed like ``a`` by Numba: same dtype, layout, writeability."""
    from numba import typeof

    layout = typeof(a).layout
    v = rng.standard_normal(shape).astype(a.dtype)
    if layout == "F":
        v = np.asfortranarray(v)
    elif layout == "A":
        v = np.repeat(v, 2, axis=1)[:, ::2]  # same values, non-contiguous
    if not a.flags.writeable:
        v.flags.writeable = False
    return v


def _verify(family, kernel, parallel, x3, yk, out3, zero):
    """Check a freshly built SLP kernel against a float64 reference on a small input.

    ``yk`` is the kernel's own second argument: ``(B, K, N)``, or ``(B, N, K)`` for ``dot``.
    The check runs the very specialisation (dtypes, layouts, writeability) about to be used.
    """
    from numba import typeof

    key = (family, parallel, typeof(x3), typeof(yk), typeof(out3))
    ok = _verified.get(key)
    if ok is not None:
        return ok
    with _verify_lock:
        rng = np.random.default_rng(12345)
        B, M, K, N = 3, 11, 37, 45
        if family.startswith("tile1:"):  # exactly one MR x NR tile per batch element
            M, N = map(int, family[6:].split("x"))
        if family == "rowdot":  # rank-2 x, y (B, K) and out (B, 1)
            M = N = 1
            xv, ykv = _like(x3, (B, K), rng), _like(yk, (B, K), rng)
            xm, ym = xv[:, None, :], ykv[:, :, None]
            ov = np.zeros((B, 1), out3.dtype)
            if typeof(out3).layout != "C":
                ov = np.zeros((B, 2), out3.dtype)[:, ::2]
        else:
            xv = xm = _like(x3, (B, M, K), rng)
            ykv = _like(yk, (B, N, K) if family == "dot" else (B, K, N), rng)
            ym = ykv.transpose(0, 2, 1) if family == "dot" else ykv
            ov = np.zeros((B, M, N), out3.dtype)
            if typeof(out3).layout != "C":
                ov = np.zeros((B, M, 2 * N), out3.dtype)[:, :, ::2]
        if parallel:
            kernel(xv, ykv, ov, zero, 4)
        else:
            kernel(xv, ykv, ov, zero, 0, work_items(family, B, M, N))
        x64, y64 = xm.astype(np.float64), ym.astype(np.float64)
        bound = 4 * (K + 2) * np.finfo(x3.dtype).eps * np.matmul(np.abs(x64), np.abs(y64))
        ok = bool(np.all(np.abs(ov.reshape(B, M, N) - np.matmul(x64, y64)) <= bound))
        if not ok:
            log.warning("kernel %s failed verification for %s; using generic instead", family, key[2:])
        _verified[key] = ok
    return ok


def work_items(family, B, M, N):
    from . import _cpu

    return _cpu.work_items(family, B, M, N)


def _blas(x3, y3, out3):
    np.matmul(x3, y3, out=out3)


def _serial(nthreads, items, madds):
    """Whether a region of ``items`` work items for ``madds`` multiply-adds runs serially."""
    return nthreads == 1 or items < 2 or madds < SERIAL_CUTOFF


def _stager(B, madds):
    """``stage(a)``: a C-ordered copy of ``a`` (the permuted operand that cannot be viewed).

    In a parallel region when the call's kernel runs in one (:func:`_serial`), else NumPy's
    copy.  Only operands whose free axes cannot merge into one strided axis are staged.
    """
    from . import _cpu

    if _serial(_cpu.get_num_threads(), B, madds):
        return np.ascontiguousarray

    def stage(a):
        dst = np.empty(a.shape, a.dtype)
        _run_parallel(_cpu.stage_parallel, a, dst)
        return dst

    return stage


#: (family, acc dtype, layouts of the three arrays) -> prepare's result; cleared past max.
_PREPARED = {}


def _layout(a):
    """What a compiled entry point and the split depend on: shape, strides, dtype, flags."""
    return a.shape, a.strides, a.dtype, a.flags.num


def prepare(family, x3, yk, out3, acc_dtype):
    """``(fn, tail)`` such that ``fn(x3, yk, out3, *tail)`` runs the family on such arrays.

    Cached per family, accumulation dtype and the arrays' shapes, strides, dtypes and flags
    (the uncached ``out=`` path calls it on every call; runners once per layout).

    ``yk`` is the kernel's own ``y``: ``(B, K, N)``, or ``(B, N, K)`` for ``dot``; for
    ``rowdot`` the operands are rank-2 ``(B, K)`` and ``out3`` is ``(B, 1)``.  The kernel is
    compiled (SLP on) and verified for exactly these argument types, and ``fn`` is its
    compiled entry point: it must be called with arrays of the same dtypes, layouts,
    writeability and alignment.  The split is decided here: serial below
    :data:`SERIAL_CUTOFF` multiply-adds, with one thread or one work item; else
    ``CHUNKS_PER_THREAD`` chunks a thread.  ``blas`` is ``np.matmul``.
    """
    key = (family, acc_dtype, _layout(x3), _layout(yk), _layout(out3))
    got = _PREPARED.get(key)
    if got is None:
        if len(_PREPARED) >= _RUNNERS_MAX:
            _PREPARED.clear()
        got = _PREPARED[key] = _prepare(family, x3, yk, out3, acc_dtype)
    return got


def _prepare(family, x3, yk, out3, acc_dtype):
    if family == "blas":
        return _blas, ()
    from . import _cpu  # Numba is imported on the first call, not by ``import batchdot``
    from ._jit import compile_for

    if family == "rowdot":
        (B, K), M, N = x3.shape, 1, 1
    else:
        B, M, K = x3.shape
        N = out3.shape[2]
    zero = acc_dtype.type(0)
    span, par = _cpu.FAMILIES[family]
    items = work_items(family, B, M, N)
    nthreads = _cpu.get_num_threads()
    serial = _serial(nthreads, items, B * M * N * K)
    nchunks = min(items, nthreads * CHUNKS_PER_THREAD)
    kernel = span if serial else par
    tail = (zero, 0, items) if serial else (zero, nchunks)
    entry = compile_for(kernel, (x3, yk, out3) + tail, slp=family != "generic")
    if family != "generic" and not _verify(family, kernel, not serial, x3, yk, out3, zero):
        if family == "rowdot":  # the generic kernel on rank-3 views of the same arrays
            fn, tail = prepare("generic", x3[:, None, :], yk[:, :, None], out3[:, :, None], acc_dtype)
            return (lambda x, y, out, *t: fn(x[:, None, :], y[:, :, None], out[:, :, None], *t)), tail
        if family == "dot":  # the generic kernel takes y as (B, K, N)
            fn, tail = prepare("generic", x3, yk.transpose(0, 2, 1), out3, acc_dtype)
            return (lambda x, y, out, *t: fn(x, y.transpose(0, 2, 1), out, *t)), tail
        return prepare("generic", x3, yk, out3, acc_dtype)
    log.debug("%s %s B=%d M=%d K=%d N=%d chunks=%s", family, "serial" if serial else "parallel",
              B, M, K, N, "-" if serial else nchunks)
    if serial:
        return entry, tail
    return functools.partial(_run_parallel, entry), tail


def execute(x3, y3, out3, acc_dtype, kernel=None):
    """Choose, prepare and run a kernel on canonical views; ``out3`` is writeable ``(B, M, N)``."""
    B, M, K = x3.shape
    N = y3.shape[2]
    family = choose_kernel(B, M, K, N, x3, y3, out3.dtype, acc_dtype, kernel)
    yk = y3.transpose(0, 2, 1) if family == "dot" else y3
    fn, tail = prepare(family, x3, yk, out3, acc_dtype)
    fn(x3, yk, out3, *tail)
    return family


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
    kernel : {None, "generic", "dot", "tile", "blas"} or "tile:MRxNR", optional
        Force a CPU kernel family instead of the automatic choice (for benchmarks and
        tests; the choice is logged at DEBUG level on the ``batchdot`` logger).  A
        generated register tile may be named, e.g. ``"tile:8x32"`` (``TILE_KERNELS``).

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
    key = None
    if device is None and (out is None or type(out) is _ndarray):
        key = _runner_key(x, y, axes, dtype, kernel)
        if key is not None:
            run = _RUNNERS.get(key)
            if run is not None:
                return run(x, y) if out is None else run.into(x, y, out)
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
    if out is None or key is not None:
        run = _make_runner(p, x, y, out_dtype, acc_dtype, kernel)
        if key is not None:
            if len(_RUNNERS) >= _RUNNERS_MAX:
                _RUNNERS.clear()
            _RUNNERS[key] = run
        return run(x, y) if out is None else run.into(x, y, out)

    result = _prepare_out(out, p, out_dtype)
    if result.size == 0:
        return result
    if p.contracted == 0:
        result[...] = 0
        return result
    x3, y3, _ = p.canonical(_kernel_operand(x), _kernel_operand(y))
    out3 = None
    if not (np.may_share_memory(out, x) or np.may_share_memory(out, y)):
        out3 = p.canonical_out(result)
    if out3 is None or out3.dtype != kernel_dtype(out3.dtype):
        # out's strides admit no (B, M, N) view, it overlaps an input, or it is float16
        tmp = np.empty((p.batch, p.m, p.n), kernel_dtype(out_dtype))
        execute(x3, y3, tmp, acc_dtype, kernel)
        result[...] = tmp.reshape(p.out_shape)
    else:
        execute(x3, y3, out3, acc_dtype, kernel)
    return result


# --------------------------------------------------------------------------- call cache

#: (shapes, strides, dtypes, axes, dtype, kernel) -> runner; cleared when it grows past max.
_RUNNERS = {}
_RUNNERS_MAX = 4096


def _runner_key(x, y, axes, dtype, kernel):
    """Cache key for a call, or None when the call cannot use the cache.

    Only plain ndarrays, and only axes of exactly ``None``/``int``/``(int, int)``/``[int, int]``:
    ``True``, ``1.0`` and ``1`` hash alike, so anything else takes the validating path every
    time.  ``dtype`` may be a dtype, a type (``np.float64``, ``float``) or a string; it is keyed
    as the dtype it names.  The flags word carries writeability and alignment, which (with
    shapes, strides and dtypes) fix the Numba types that a runner's compiled entry point was
    built for.
    """
    if type(x) is not _ndarray or type(y) is not _ndarray:
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
    return (x.shape, x.strides, x.dtype, x.flags.num, y.shape, y.strides, y.dtype, y.flags.num, axes, dtype,
            kernel)


_ndarray = np.ndarray


def _make_runner(p, x, y, out_dtype, acc_dtype, kernel):
    """``run(x, y) -> result`` for arrays laid out like ``x`` and ``y``: all decisions made.

    Valid for every call with the same shapes, strides, dtypes and flags (writeability and
    alignment; the cache key), which are what Numba's argument types and NumPy's view-or-copy
    choices depend on.  ``run.into(x, y, out)`` fills a given ``out`` instead (see
    :func:`_into`).
    """
    B, M, K, N = p.batch, p.m, p.k, p.n
    shape3, out_shape = (B, M, N), p.out_shape
    if B * M * N == 0 or K == 0:
        def run_trivial(x, y):
            return np.zeros(out_shape, out_dtype)

        return _finish(run_trivial, None, p, out_dtype, None)
    x_cast, y_cast, out_k = kernel_dtype(x.dtype), kernel_dtype(y.dtype), kernel_dtype(out_dtype)
    cast_x, cast_y = x.dtype != x_cast, y.dtype != y_cast
    xo, yo = p.x_order, p.y_order
    xs = (B, M, K)
    if cast_x:
        x = x.astype(x_cast)
    if cast_y:
        y = y.astype(y_cast)
    # reshape gives a view unless the free axes cannot merge (then the plan's copy)
    x3 = x.transpose(xo).reshape(xs)
    y3 = y.transpose(yo).reshape(B, K, N)
    same_out = out_k == out_dtype
    rank2 = x.ndim == 2 and y.ndim == 2 and not (cast_x or cast_y) and same_out
    family = choose_kernel(B, M, K, N, x3, y3, out_k, acc_dtype, kernel, rank2)
    if family == "rowdot":  # the kernel takes x, y and out (B, 1) as they are
        fn, tail = prepare("rowdot", x, y, np.empty(out_shape, out_k), acc_dtype)

        def run_rows(x, y):
            res = np.empty(out_shape, out_k)
            fn(x, y, res, *tail)
            return res

        return _finish(run_rows, "rowdot", p, out_dtype, lambda x, y: (x, y), acc_dtype)
    if family == "dot":  # the kernel takes y as (B, N, K)
        yo, ys = yo[:1] + yo[2:] + yo[1:2], (B, N, K)
    else:
        ys = (B, K, N)
    ident_x, ident_y = xo == tuple(range(len(xo))), yo == tuple(range(len(yo)))
    yk = y.transpose(yo).reshape(ys)
    fn, tail = prepare(family, x3, yk, np.empty(shape3, out_k), acc_dtype)
    # operands whose free axes cannot merge are copied (staged) in a parallel region
    copy_x, copy_y = p.copies(x.strides, y.strides)
    stage = _stager(B, B * M * N * K) if copy_x or copy_y else None

    def views(x, y):
        """The kernel's operands ``x3``, ``yk`` for arrays laid out like the key's."""
        if cast_x:
            x = x.astype(x_cast)
        if cast_y:
            y = y.astype(y_cast)
        if not ident_x:
            x = x.transpose(xo)
        if not ident_y:
            y = y.transpose(yo)
        return (stage(x) if copy_x else x).reshape(xs), (stage(y) if copy_y else y).reshape(ys)

    def run(x, y):
        x3, yk = views(x, y)
        res = np.empty(shape3, out_k)
        fn(x3, yk, res, *tail)
        return res.reshape(out_shape) if same_out else res.reshape(out_shape).astype(out_dtype)

    return _finish(run, family, p, out_dtype, views if same_out else None, acc_dtype)


def _finish(run, family, p, out_dtype, views, acc_dtype=None):
    """Attach ``run.family`` and ``run.into``; ``views`` is None when ``out`` cannot be direct."""
    run.family = family
    run.into = functools.partial(_into, run, family, p, out_dtype, views, acc_dtype, {})
    return run


def _into(run, family, p, out_dtype, views, acc_dtype, by_layout, x, y, out):
    """``batch_dot(x, y, out=out)`` for a cached runner: the kernel writes ``out`` directly.

    The kernel is prepared for ``out``'s own layout, once per strides and flags
    (``by_layout``).  When ``out`` overlaps an input, admits no ``(B, M, N)`` view, or needs
    a cast (float16), the result is computed by ``run`` and copied in.
    """
    _prepare_out(out, p, out_dtype)
    if family is None:  # empty result or K == 0
        out[...] = 0
        return out
    if views is None or np.may_share_memory(out, x) or np.may_share_memory(out, y):
        out[...] = run(x, y)
        return out
    layout = (out.strides, out.flags.num)
    got = by_layout.get(layout)
    if got is None:
        out3 = _out_view(family, p, out)
        got = by_layout[layout] = (None, ()) if out3 is None else prepare(family, *views(x, y), out3, acc_dtype)
    fn, tail = got
    if fn is None:  # no (B, M, N) view of out
        out[...] = run(x, y)
        return out
    x3, yk = views(x, y)
    fn(x3, yk, _out_view(family, p, out), *tail)
    return out


def _out_view(family, p, out):
    """The kernel's view of ``out``: itself (rowdot), a reshape, merged axes, or None."""
    if family == "rowdot":
        return out
    if out.flags.c_contiguous:
        return out.reshape(p.batch, p.m, p.n)
    return p.canonical_out(out)
