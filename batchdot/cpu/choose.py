"""Kernel choice: a small, pure function of (B, M, K, N, dtypes, strides).  No Numba import.

The one place the CPU engine decides which kernel family runs a contraction; the choice is
logged at DEBUG on the ``batchdot`` logger and ``kernel=`` overrides it.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["KERNELS", "choose_kernel", "l2_bytes", "BLAS_MIN", "tile_dtypes_ok"]

#: Families that may be forced with ``kernel=``: every family the engine has.
KERNELS = ("generic", "dot", "rowdot", "tile", "blas")
_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
#: A contraction at least this large in M, N and K goes to BLAS (cache-blocked GEMM) when
#: one batch element of ``y`` (K x N) does not fit in the L2 cache: the tiles block K but
#: not N, and read ``y[b]`` once per block of rows.  Evidence: ``python -m batchdot bench --blas``.
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


def tile_dtypes_ok(x_dtype, y_dtype, out_dtype):
    """Whether the ``tile`` family computes these dtypes: real operands, float or integer result.

    Operands are converted on load to the result dtype, which is also the accumulation dtype
    (integers wrap like NumPy's, so an int8 result summed in int8 equals int64 sums cast
    to int8).  Not bool results (a logical or) and not complex.
    """
    real = all(np.dtype(d).kind in "biuf" for d in (x_dtype, y_dtype))
    return real and np.dtype(out_dtype).kind in "iuf" and np.dtype(out_dtype).itemsize in (1, 2, 4, 8)


def choose_kernel(B, M, K, N, x3, y3, out_dtype, acc_dtype, forced=None, rank2=False):
    """The kernel family for one contraction: the one place this is decided.

    ``out_dtype`` is the dtype the kernel writes.  ``forced`` (the ``kernel=`` argument)
    overrides the heuristics.  ``rank2``: the operands are the user's own rank-2 arrays with
    no dtype casts, so ``dot`` becomes ``rowdot``, which takes them as they are.  ``tile``
    needs unit-stride rows of ``y``; the engine stages a ``y`` without them (one copy).
    """
    dt = x3.dtype
    same_float = dt in _FAST_DTYPES and y3.dtype == dt and out_dtype == dt and acc_dtype == dt
    tile_ok = tile_dtypes_ok(x3.dtype, y3.dtype, out_dtype)
    if forced is not None:
        if not isinstance(forced, str) or forced not in KERNELS:
            raise ValueError(f"batch_dot requires kernel to be one of {KERNELS}, got {forced!r}")
        if forced in ("dot", "rowdot", "blas") and not same_float:
            raise TypeError(
                f"batch_dot requires float32 or float64 operands and result of one dtype for "
                f"kernel={forced!r}, got {x3.dtype}, {y3.dtype} -> {out_dtype}"
            )
        if forced == "tile" and not tile_ok:
            raise TypeError(f"batch_dot requires real operands and a float or integer result for kernel='tile', "
                            f"got {x3.dtype}, {y3.dtype} -> {out_dtype}")
        if forced == "rowdot" and not rank2:
            raise ValueError("batch_dot requires rank-2 operands of one float dtype, contracted on a contiguous "
                             "axis, for kernel='rowdot'")
        return "rowdot" if forced == "dot" and rank2 else forced
    if same_float:
        item = dt.itemsize
        if min(M, N, K) >= BLAS_MIN and K * N * item > l2_bytes():
            return "blas"
        k_contiguous = K == 1 or (x3.strides[2] == item and y3.strides[1] == item)
        if k_contiguous and (M == 1 or N == 1 or not y3.flags.c_contiguous):
            return "rowdot" if rank2 else "dot"
    return "tile" if tile_ok else "generic"
