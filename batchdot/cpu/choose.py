"""Kernel choice: a small, pure function of (B, M, K, N, dtypes, strides).  No Numba import.

The one place the CPU engine decides which kernel family runs a contraction; the choice is
logged at DEBUG on the ``batchdot`` logger and ``kernel=`` overrides it.
"""

from __future__ import annotations

import functools

import numpy as np

from .codegen import MAIN_TILES

__all__ = ["KERNELS", "TILE_KERNELS", "choose_kernel", "l2_bytes", "BLAS_MIN"]

#: Families that may be forced with ``kernel=`` (``"tile"``: the tile the heuristics pick),
#: and the generated tiles, which may be forced by name.
KERNELS = ("generic", "dot", "tile", "blas")
TILE_KERNELS = tuple("tile:%dx%d" % t for t in MAIN_TILES)
_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
#: Register tile (MR, NR) by item size, then by the smallest N it suits, largest first.
#: Evidence: ``python -m batchdot bench --tiles`` (README, Performance).  With N >= 32,
#: float32 8x32 beat 4x32 by 4-17 % on small32 and large512 and tied on squash; float64
#: 4x32 beat 8x32 and 8x16 by 27-37 % on small32 (8x32 float64 needs 32 accumulators).
TILES = {
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
    for n_min, tile in TILES[itemsize]:
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
