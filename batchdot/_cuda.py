"""CUDA back end of ``batch_dot``: numba.cuda kernels over canonical strided device views.

Imported lazily by :func:`batchdot.batch_dot` (``import batchdot`` and CPU calls never import
``numba.cuda`` and never initialise CUDA).  The steps mirror the CPU path:

1. operands: CUDA arrays (anything exposing ``__cuda_array_interface__``: Numba device
   arrays, CuPy arrays, PyTorch CUDA tensors) are wrapped as Numba device arrays without a
   copy; host arrays (``device="cuda"``) are copied in, in canonical order;
2. shapes, axes and dtypes are validated by the same :func:`batchdot.plan` and
   :func:`batchdot._dtypes.resolve_dtypes` as on the CPU, so the error table is the same;
3. canonical strided device views ``(B, M, K) x (B, K, N) -> (B, M, N)`` are built from the
   operands' own strides (no copy).  Where an operand's free axes cannot be merged into one
   strided axis -- the same condition as :meth:`ContractionPlan.canonical` on the CPU -- that
   operand is copied once *on the device* into canonical order by :func:`_copy_kernel`; an
   ``out`` whose strides admit no ``(B, M, N)`` view, or that overlaps an input, is computed
   into a temporary and copied into place the same way;
4. a kernel family is chosen by :func:`select_kernel` from ``(B, M, N, K)`` and launched.

Kernel families (they know nothing of axes; all of them are correct for every shape, so
tests force each family on every shape through the ``kernel=`` argument of
:func:`_batch_dot_cuda`):

``"dot"``
    Memory-bound plans (``M == 1`` or ``N == 1``: row dots and vector-matrix products).  A
    group of ``lanes`` threads (a power of two up to a whole warp) computes one output
    element, its lanes striding along ``K`` (coalesced when ``K`` has unit stride) and
    reducing with ``cuda.shfl_down_sync``.  With ``lanes == 1`` each thread owns one output
    element, which is the coalesced choice when the matrix is contiguous along its free axis.
    Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) has no warp shuffles, so there the
    family always runs with ``lanes == 1``.
``"small"``
    Small matrices (``M, N, K <= small_max``): each block stages several batch elements of
    both operands in shared memory, converted to the accumulation dtype, then computes them.
``"tiled"``
    Larger matrices: ``tile_m x tile_n`` output tiles per block, ``tile_k`` slices of both
    operands staged in shared memory, a ``reg_m x reg_n`` register tile per thread;
    remainders are zero-padded in shared memory and masked on store.

Every kernel loops grid-stride, so any size works with a capped grid.  Sums are carried in
the accumulation dtype of :func:`resolve_dtypes` (float32 for float16 outputs, int64 for
signed integers and bool, uint64 for unsigned integers, the output dtype otherwise).
float16 is loaded natively and summed in float32 (no host-side widening).  Launch geometry
lives in :class:`LaunchConfig` (one place); JIT options in :data:`JIT_OPTIONS`.
"""

from __future__ import annotations

import functools
import logging
import warnings
from dataclasses import dataclass

import numpy as np
from numba import cuda, from_dtype, types
from numba.cuda import libdevice

from ._dtypes import accumulation_dtype, resolve_dtypes
from ._api import _operand
from ._plan import _merge_strides, check_out, plan

try:  # numba-cuda (the ``cuda`` extra)
    from numba.cuda.core.config import ENABLE_CUDASIM as _SIMULATOR
except ImportError:  # pragma: no cover - numba's deprecated built-in numba.cuda
    from numba.core.config import ENABLE_CUDASIM as _SIMULATOR

__all__ = ["batch_dot_cuda", "LaunchConfig", "CONFIG", "FAMILIES", "select_kernel"]

log = logging.getLogger("batchdot")

#: Kernel families, in the order :func:`select_kernel` considers them.
FAMILIES = ("dot", "small", "tiled")

#: numba.cuda JIT options of every kernel.  No fastmath: it would flush subnormals to zero.
JIT_OPTIONS = dict(fastmath=False)

WARP = 32
_FULL_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class LaunchConfig:
    """Launch geometry of every kernel: the one place where sizes are chosen.

    Attributes
    ----------
    threads : int
        Threads per block of the ``dot``, ``small`` and copy kernels (a multiple of 32).
    max_blocks : int
        Grid cap; kernels loop grid-stride over the rest.
    dot_min_k : int
        Below this ``K`` the ``dot`` family gives each output element one thread.
    small_max : int
        ``small`` handles ``M, N, K <= small_max``.
    small_shared_bytes : int
        Shared memory per operand stage of ``small`` (must hold one complex128 matrix).
    tile_m, tile_n, tile_k : int
        Output tile per block and ``K`` slice staged in shared memory by ``tiled``.
    reg_m, reg_n : int
        Register tile per thread of ``tiled``; the block has
        ``(tile_m // reg_m) * (tile_n // reg_n)`` threads.
    """

    threads: int = 256
    max_blocks: int = 4096
    dot_min_k: int = 8
    small_max: int = 32
    small_shared_bytes: int = 16384
    tile_m: int = 64
    tile_n: int = 64
    tile_k: int = 16
    reg_m: int = 4
    reg_n: int = 4

    def __post_init__(self):
        if self.threads % WARP or self.threads <= 0:
            raise ValueError(f"LaunchConfig requires threads to be a multiple of {WARP}, got {self.threads}")
        if self.tile_m % self.reg_m or self.tile_n % self.reg_n:
            raise ValueError(
                f"LaunchConfig requires reg_m | tile_m and reg_n | tile_n, got tiles "
                f"{self.tile_m}x{self.tile_n} and register tiles {self.reg_m}x{self.reg_n}"
            )
        if self.small_shared_bytes < self.small_max**2 * 16:
            raise ValueError(
                f"LaunchConfig requires small_shared_bytes >= 16 * small_max**2 = "
                f"{16 * self.small_max**2}, got {self.small_shared_bytes}"
            )

    @property
    def tiled_threads(self):
        """Threads per block of the ``tiled`` family."""
        return (self.tile_m // self.reg_m) * (self.tile_n // self.reg_n)


#: The launch configuration used by :func:`batch_dot_cuda`.
CONFIG = LaunchConfig()


# --------------------------------------------------------------------------- selection


def select_kernel(B, M, N, K, k_unit=True, config=CONFIG):
    """Kernel family and its ``lanes`` for a canonical ``(B, M, K) x (B, K, N)`` problem.

    Parameters
    ----------
    B, M, N, K : int
        Canonical sizes (all >= 1).
    k_unit : bool
        Whether the operands a ``dot`` kernel streams (x when ``N == 1``, y when ``M == 1``,
        both for row dots) have unit stride along ``K``.
    config : LaunchConfig

    Returns
    -------
    family : str
        One of :data:`FAMILIES`.
    lanes : int
        Threads per output element of the ``dot`` family (1 for the others).
    """
    if M == 1 or N == 1:
        return "dot", dot_lanes(K, k_unit, config)
    if max(M, N, K) <= config.small_max:
        return "small", 1
    return "tiled", 1


def dot_lanes(K, k_unit, config=CONFIG):
    """Threads per output element of the ``dot`` family: a power of two in ``[1, 32]``.

    Lanes stride along ``K``: worth it when ``K`` is contiguous and long enough; otherwise
    one thread per output element keeps neighbouring threads on neighbouring outputs.
    """
    if not k_unit or K < config.dot_min_k:
        return 1
    return min(WARP, 1 << (K - 1).bit_length())


# --------------------------------------------------------------------------- kernels


def _array_type(dtype, ndim):
    return types.Array(from_dtype(np.dtype(dtype)), ndim, "A")


def kernel_signature(family, x_dtype, y_dtype, out_dtype):
    """The exact Numba signature a family's kernel is compiled for and launched with."""
    arrays = (_array_type(x_dtype, 3), _array_type(y_dtype, 3), _array_type(out_dtype, 3))
    if family == "dot":
        return types.void(*arrays, types.int64)
    return types.void(*arrays)


def copy_signature(dtype, ndim):
    """The exact Numba signature of the rank-``ndim`` device copy kernel."""
    return types.void(_array_type(dtype, ndim), _array_type(dtype, ndim))


# Kernels call no helper functions: ``cuda.jit(device=True)`` functions (and overloads) need
# a live device to compile, which would make ``cuda.compile_ptx`` impossible without a GPU.
# Per-dtype variants are chosen by closure constants (``IS_COMPLEX`` ...), whose dead
# branches Numba prunes before typing.


def _product_kind(acc_dtype):
    """1 (float32) or 2 (float64): products through libdevice's ``fmul_rn``/``dmul_rn``, else 0.

    NVVM contracts ``a * b + c`` into a fused multiply-add by default, which turns an
    overflowing product's ``inf - inf`` into ``inf`` where NumPy's ``(x * y).sum()`` gives NaN;
    ``__nv_fmul_rn``/``__nv_dmul_rn`` are never contracted.  Complex products use them on
    their parts (the accumulation dtype's parts: float32 for complex64).  Numba's CUDA
    simulator only has stubs for them: plain products there (Python floats never fuse).
    """
    from numba import config

    if config.ENABLE_CUDASIM or acc_dtype.kind not in "fc":
        return 0
    return 1 if acc_dtype in (np.float32, np.complex64) else 2


@cuda.jit(device=True, inline="always")
def _mul(a, b):
    return a * b


@cuda.jit(device=True, inline="always")
def _mul_f32(a, b):
    return libdevice.fmul_rn(a, b)


@cuda.jit(device=True, inline="always")
def _mul_f64(a, b):
    return libdevice.dmul_rn(a, b)


@cuda.jit(device=True, inline="always")
def _mul_c64(a, b):
    return np.complex64(complex(libdevice.fmul_rn(a.real, b.real) - libdevice.fmul_rn(a.imag, b.imag),
                                libdevice.fmul_rn(a.real, b.imag) + libdevice.fmul_rn(a.imag, b.real)))


@cuda.jit(device=True, inline="always")
def _mul_c128(a, b):
    return complex(libdevice.dmul_rn(a.real, b.real) - libdevice.dmul_rn(a.imag, b.imag),
                   libdevice.dmul_rn(a.real, b.imag) + libdevice.dmul_rn(a.imag, b.real))


def _multiply(acc_dtype):
    """``mul(a, b)`` of two values of ``acc_dtype`` for the kernels: never contracted with
    the sum it feeds (:func:`_product_kind`); complex as NumPy's ``(ac - bd) + (ad + bc)i``.

    Inlined in Numba's IR (``inline="always"``): a device function compiled on its own would
    need a GPU's compute capability, which ``compile_ptx`` in CI does not have."""
    if _product_kind(acc_dtype) == 0:
        return _mul
    return {"f4": _mul_f32, "f8": _mul_f64, "c8": _mul_c64, "c16": _mul_c128}[f"{acc_dtype.kind}{acc_dtype.itemsize}"]


def _make_dot(out_dtype, config):
    acc_dtype = accumulation_dtype(out_dtype)
    acc_t, out_t = acc_dtype.type, out_dtype.type
    MUL = _multiply(acc_dtype)
    IS_COMPLEX = acc_dtype.kind == "c"
    IS_UNSIGNED = acc_dtype.kind == "u"

    def dot(x, y, out, lanes):
        """Groups of ``lanes`` threads per output element, reducing along K by shuffles."""
        B, M, K = x.shape
        N = y.shape[2]
        total = B * M * N
        tid = cuda.grid(1)
        lane = tid % WARP
        group = lane // lanes
        sub = lane - group * lanes
        per_warp = WARP // lanes
        base = (tid // WARP) * per_warp
        step = (cuda.gridsize(1) // WARP) * per_warp
        while base < total:  # uniform across the warp: every lane reaches the shuffles
            t = base + group
            valid = t < total
            if not valid:
                t = total - 1
            j = t % N
            r = t // N
            i = r % M
            b = r // M
            acc = acc_t(0)
            if valid:
                for k in range(sub, K, lanes):
                    acc += MUL(acc_t(x[b, i, k]), acc_t(y[b, k, j]))
            # sum over aligned groups of ``lanes`` lanes; the group's first lane holds it
            off = lanes >> 1
            if IS_COMPLEX:  # shuffles move 32/64-bit ints and floats: real parts apart
                re = acc.real
                im = acc.imag
                while off > 0:
                    re += cuda.shfl_down_sync(_FULL_MASK, re, off)
                    im += cuda.shfl_down_sync(_FULL_MASK, im, off)
                    off >>= 1
                acc = acc_t(complex(re, im))
            elif IS_UNSIGNED:  # as int64: the same bits modulo 2**64
                s = np.int64(acc)
                while off > 0:
                    s += cuda.shfl_down_sync(_FULL_MASK, s, off)
                    off >>= 1
                acc = acc_t(s)
            else:
                while off > 0:
                    acc += cuda.shfl_down_sync(_FULL_MASK, acc, off)
                    off >>= 1
            if valid and sub == 0:
                out[b, i, j] = out_t(acc)  # bool: sum != 0
            base += step

    return dot


def _make_small(out_dtype, config):
    acc_dtype = accumulation_dtype(out_dtype)
    acc_t = acc_dtype.type
    acc_nb = from_dtype(acc_dtype)
    out_t = out_dtype.type
    stage = config.small_shared_bytes // acc_dtype.itemsize
    MUL = _multiply(acc_dtype)

    def small(x, y, out):
        """Several batch elements per block, both operands staged in shared memory."""
        B, M, K = x.shape
        N = y.shape[2]
        sx = cuda.shared.array(stage, acc_nb)
        sy = cuda.shared.array(stage, acc_nb)
        mk = M * K
        kn = K * N
        mn = M * N
        per = min(stage // mk, stage // kn)
        groups = (B + per - 1) // per
        tid = cuda.threadIdx.x
        nt = cuda.blockDim.x
        for g in range(cuda.blockIdx.x, groups, cuda.gridDim.x):
            b0 = g * per
            nb = min(per, B - b0)
            for e in range(tid, nb * mk, nt):
                p = e // mk
                q = e - p * mk
                i = q // K
                sx[e] = acc_t(x[b0 + p, i, q - i * K])
            for e in range(tid, nb * kn, nt):
                p = e // kn
                q = e - p * kn
                k = q // N
                sy[e] = acc_t(y[b0 + p, k, q - k * N])
            cuda.syncthreads()
            for e in range(tid, nb * mn, nt):
                p = e // mn
                q = e - p * mn
                i = q // N
                j = q - i * N
                xo = p * mk + i * K
                yo = p * kn + j
                acc = acc_t(0)
                for k in range(K):
                    acc += MUL(sx[xo + k], sy[yo + k * N])
                out[b0 + p, i, j] = out_t(acc)
            cuda.syncthreads()

    return small


def _make_tiled(out_dtype, config):
    acc_dtype = accumulation_dtype(out_dtype)
    acc_t = acc_dtype.type
    acc_nb = from_dtype(acc_dtype)
    out_t = out_dtype.type
    TM, TN, TK = config.tile_m, config.tile_n, config.tile_k
    RM, RN = config.reg_m, config.reg_n
    TY, TX = TM // RM, TN // RN
    NT = TX * TY
    SA, SB = (TK, TM + 1), (TK, TN + 1)  # +1 column: staging stores along K hit distinct banks
    MUL = _multiply(acc_dtype)

    def tiled(x, y, out):
        """``TM x TN`` output tiles, ``TK`` slices in shared memory, ``RM x RN`` per thread."""
        B, M, K = x.shape
        N = y.shape[2]
        sa = cuda.shared.array(SA, acc_nb)
        sb = cuda.shared.array(SB, acc_nb)
        acc = cuda.local.array((RM, RN), acc_nb)
        ra = cuda.local.array(RM, acc_nb)
        rb = cuda.local.array(RN, acc_nb)
        tid = cuda.threadIdx.x
        tx = tid % TX
        ty = tid // TX
        tiles_m = (M + TM - 1) // TM
        tiles_n = (N + TN - 1) // TN
        per_b = tiles_m * tiles_n
        # load order follows the operand's shorter stride, so staging loads coalesce
        x_kfast = abs(x.strides[2]) <= abs(x.strides[1])
        y_nfast = abs(y.strides[2]) <= abs(y.strides[1])
        zero = acc_t(0)
        for tile in range(cuda.blockIdx.x, B * per_b, cuda.gridDim.x):
            b = tile // per_b
            q = tile - b * per_b
            i0 = (q // tiles_n) * TM
            j0 = (q - (q // tiles_n) * tiles_n) * TN
            for r in range(RM):
                for c in range(RN):
                    acc[r, c] = zero
            for k0 in range(0, K, TK):
                for e in range(tid, TM * TK, NT):
                    if x_kfast:
                        ii = e // TK
                        kk = e - ii * TK
                    else:
                        kk = e // TM
                        ii = e - kk * TM
                    v = zero
                    if i0 + ii < M and k0 + kk < K:
                        v = acc_t(x[b, i0 + ii, k0 + kk])
                    sa[kk, ii] = v
                for e in range(tid, TN * TK, NT):
                    if y_nfast:
                        kk = e // TN
                        jj = e - kk * TN
                    else:
                        jj = e // TK
                        kk = e - jj * TK
                    v = zero
                    if j0 + jj < N and k0 + kk < K:
                        v = acc_t(y[b, k0 + kk, j0 + jj])
                    sb[kk, jj] = v
                cuda.syncthreads()
                for kk in range(TK):
                    for r in range(RM):
                        ra[r] = sa[kk, ty + r * TY]
                    for c in range(RN):
                        rb[c] = sb[kk, tx + c * TX]
                    for r in range(RM):
                        for c in range(RN):
                            acc[r, c] += MUL(ra[r], rb[c])
                cuda.syncthreads()
            for r in range(RM):
                i = i0 + ty + r * TY
                if i < M:
                    for c in range(RN):
                        j = j0 + tx + c * TX
                        if j < N:
                            out[b, i, j] = out_t(acc[r, c])

    return tiled


_MAKERS = {"dot": _make_dot, "small": _make_small, "tiled": _make_tiled}


@functools.lru_cache(maxsize=None)
def kernel_function(family, out_dtype, config=CONFIG):
    """The Python function of a family's kernel for outputs of ``out_dtype`` (not compiled).

    Accumulation dtype, output conversion and tile sizes are compile-time constants of it.
    """
    if family not in _MAKERS:
        raise ValueError(f"batch_dot requires kernel to be one of {FAMILIES}, got {family!r}")
    return _MAKERS[family](np.dtype(out_dtype), config)


@functools.lru_cache(maxsize=None)
def _kernel(family, x_dtype, y_dtype, out_dtype, config):
    sig = kernel_signature(family, x_dtype, y_dtype, out_dtype)
    return cuda.jit(sig, **JIT_OPTIONS)(kernel_function(family, out_dtype, config))


@functools.lru_cache(maxsize=None)
def copy_function(ndim):
    """The Python function of the rank-``ndim`` strided device copy ``dst[...] = src``."""
    idx = ", ".join(f"i{d}" for d in range(ndim))
    lines = [
        "def copy(src, dst):",
        "    for t in range(cuda.grid(1), dst.size, cuda.gridsize(1)):",
        "        r = t",
    ]
    for d in range(ndim - 1, 0, -1):
        lines += [f"        i{d} = r % dst.shape[{d}]", f"        r = r // dst.shape[{d}]"]
    lines += ["        i0 = r", f"        dst[{idx}] = src[{idx}]"]
    scope = {"cuda": cuda}
    exec("\n".join(lines), scope)  # one loop nest per rank, no runtime index tuples
    copy = scope["copy"]
    copy.__doc__ = f"Copy a rank-{ndim} strided device array into another of the same shape."
    return copy


@functools.lru_cache(maxsize=None)
def _copy_kernel(dtype, ndim):
    return cuda.jit(copy_signature(dtype, ndim), **JIT_OPTIONS)(copy_function(ndim))


def _grid(work, threads, config):
    return max(1, min(config.max_blocks, -(-work // threads)))


def _launch(kernel, grid, block, stream, *args):
    """Launch ``kernel`` on ``stream``; small grids are our choice for small problems, so
    Numba's low-occupancy performance warning is not passed on to the user."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Grid size .* under-utilization")
        kernel[grid, block, stream](*args)


# --------------------------------------------------------------------------- device arrays


def _is_device(a):
    try:
        return hasattr(a, "__cuda_array_interface__") or getattr(a, "__cuda_ndarray__", False)
    except Exception:  # an interface that raises when read (a tensor requiring grad): _as_device says so
        return True


def _is_cupy(a):
    return type(a).__module__.split(".")[0] == "cupy"


def _as_device(a, name):
    """A Numba device array sharing ``a``'s memory (no copy)."""
    if getattr(a, "__cuda_ndarray__", False):
        return a  # a Numba device array (or the simulator's)
    if _SIMULATOR:
        raise TypeError(
            f"batch_dot requires Numba device arrays under the CUDA simulator, got {name} of "
            f"type {type(a).__name__}"
        )
    try:
        cai = a.__cuda_array_interface__
    except Exception as e:  # e.g. a PyTorch tensor that requires grad
        raise TypeError(
            f"batch_dot requires {name}'s __cuda_array_interface__ to be readable, got "
            f"{type(a).__name__} raising {type(e).__name__}: {e}"
        ) from None
    if cai.get("mask") is not None:  # Numba's NotImplementedError otherwise
        raise TypeError(f"batch_dot requires CUDA arrays without a mask, got {name} of type {type(a).__name__} with one")
    return cuda.as_cuda_array(a)


def _view(a, shape, strides):
    """A strided view of device array ``a`` starting at its element 0 (no copy)."""
    if _SIMULATOR:
        return type(a)(np.lib.stride_tricks.as_strided(a._ary, shape, strides))
    from numba.cuda.cudadrv.devicearray import DeviceNDArray

    return DeviceNDArray(shape, strides, a.dtype, stream=a.stream, gpu_data=a.gpu_data)


def _address(a):
    if _SIMULATOR:
        return a._ary.__array_interface__["data"][0]
    return a.__cuda_array_interface__["data"][0]


def _extent(a):
    """Byte range ``[lo, hi)`` that device array ``a`` touches."""
    start = _address(a)
    lo = start + sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s < 0)
    hi = start + sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s > 0) + a.dtype.itemsize
    return lo, hi


def _overlap(a, b):
    if a.size == 0 or b.size == 0:
        return False
    (alo, ahi), (blo, bhi) = _extent(a), _extent(b)
    return alo < bhi and blo < ahi


def _copy(src, dst, stream, config):
    """``dst[...] = src`` on the device, for arrays of equal shape and any strides."""
    if dst.size == 0:
        return
    kernel = _copy_kernel(dst.dtype, dst.ndim)
    _launch(kernel, _grid(dst.size, config.threads, config), config.threads, stream, src, dst)


def _canonical_operand(a, order, groups, shape3, stream, config):
    """The canonical 3-D view of device array ``a``; a device copy if the free axes of ``a``
    cannot be merged into one strided axis (then the permuted operand is copied once)."""
    merged = _merge_strides(a.shape, a.strides, order, groups)
    if merged is not None:
        return _view(a, *merged), False
    permuted = _view(a, tuple(a.shape[d] for d in order), tuple(a.strides[d] for d in order))
    tmp = cuda.device_array(permuted.shape, a.dtype, stream=stream)
    _copy(permuted, tmp, stream, config)
    isz = a.dtype.itemsize
    return _view(tmp, shape3, (shape3[1] * shape3[2] * isz, shape3[2] * isz, isz)), True


# --------------------------------------------------------------------------- driver


def _require_driver(device):
    if _SIMULATOR or cuda.is_available():
        return
    err = cuda.cuda_error()
    raise RuntimeError(
        f"batch_dot requires a usable CUDA driver for device={device!r}, got none: "
        f"{err or 'numba.cuda.is_available() is False'}"
    )


def _host_operand(a, name):
    a = _operand(a, name)
    return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))


# --------------------------------------------------------------------------- entry points


def batch_dot_cuda(x, y, axes=None, *, dtype=None, out=None, device=None, kernel=None):
    """``batch_dot`` on the GPU; see :func:`batchdot.batch_dot` for the semantics.

    Parameters
    ----------
    x, y : CUDA arrays or array_like
        Both CUDA arrays (anything exposing ``__cuda_array_interface__``): computed in
        place on the device, no host copy.  Both host arrays: copied to the device (in
        canonical order), which requires ``device="cuda"`` or a device ``out``.
    axes, dtype :
        As for :func:`batchdot.batch_dot`.
    out : CUDA array or numpy.ndarray, optional
        Exactly the result shape and dtype, any strides.  A device array is filled on the
        device; a NumPy array (host inputs only) is filled from the device.
    device : {None, "cuda"}
    kernel : None
        Must be ``None``: ``kernel=`` picks a CPU kernel family; the CUDA family is chosen by
        :func:`select_kernel`.

    Returns
    -------
    numba.cuda.devicearray.DeviceNDArray, cupy.ndarray or numpy.ndarray
        ``out`` if given.  Otherwise, for CUDA inputs, a device array: a CuPy array if both
        inputs are CuPy arrays (zero-copy), a Numba device array else; for host inputs, a
        NumPy array.

    Raises
    ------
    ValueError
        One input on the host and one on the device; ``kernel`` given; a bad ``device``;
        the shape errors of ``batch_dot``.
    TypeError
        ``out`` on the host for device inputs; the dtype errors of ``batch_dot``.
    RuntimeError
        No usable CUDA driver.
    """
    if kernel is not None:
        raise ValueError(
            f"batch_dot requires kernel=None on the CUDA path (kernel= picks a CPU kernel "
            f"family), got {kernel!r}"
        )
    return _batch_dot_cuda(x, y, axes, dtype=dtype, out=out, device=device)


def _batch_dot_cuda(
    x, y, axes=None, *, dtype=None, out=None, device=None, kernel=None, lanes=None, config=CONFIG
):
    """:func:`batch_dot_cuda` with the kernel family (``kernel``, and ``lanes`` of ``"dot"``)
    and the launch configuration (``config``) overridable, so that tests can force every
    family on every shape."""
    if not (device is None or (isinstance(device, str) and device in ("cpu", "cuda"))):
        raise ValueError(f"batch_dot requires device to be None, 'cpu' or 'cuda', got {device!r}")
    if device == "cpu":  # host inputs with a device out
        raise ValueError(
            "batch_dot requires host arrays, out included, with device='cpu', got a CUDA device "
            "array; drop device='cpu' to compute on the GPU"
        )
    on_device = _is_device(x)
    if on_device != _is_device(y):
        where = ["a CUDA device array" if _is_device(a) else "a host array" for a in (x, y)]
        raise ValueError(
            f"batch_dot requires x and y both on the host or both CUDA device arrays, got x "
            f"{where[0]} and y {where[1]}; move one with numba.cuda.to_device(...) or "
            f".copy_to_host()"
        )
    _require_driver("cuda" if device is None else device)
    out_on_device = out is not None and _is_device(out)
    stream = 0  # host inputs: Numba's default stream
    if on_device:
        xd, yd = _as_device(x, "x"), _as_device(y, "y")
        stream = xd.stream  # work is queued behind the producer of x (e.g. CuPy's stream)
        for a, name in ((xd, "x"), (yd, "y")):
            if not np.dtype(a.dtype).isnative:
                raise TypeError(
                    f"batch_dot requires native byte order on the device, got {name} of dtype {a.dtype}"
                )
        p = plan(tuple(xd.shape), tuple(yd.shape), axes)
        out_dtype, _ = resolve_dtypes(xd.dtype, yd.dtype, dtype)
        if out is not None and not out_on_device:
            raise TypeError(
                f"batch_dot requires out to be a CUDA device array for CUDA inputs, got "
                f"{type(out).__name__}"
            )
    else:
        xh, yh = _host_operand(x, "x"), _host_operand(y, "y")
        p = plan(xh.shape, yh.shape, axes)
        out_dtype, _ = resolve_dtypes(xh.dtype, yh.dtype, dtype)
        if out is not None and not out_on_device and not isinstance(out, np.ndarray):
            raise TypeError(
                f"batch_dot requires out to be a numpy.ndarray or a CUDA device array, got "
                f"{type(out).__name__}"
            )

    if out_on_device:
        cai = getattr(out, "__cuda_array_interface__", None)
        if cai is not None and cai["data"][1]:
            raise ValueError("batch_dot requires a writeable out, got a read-only CUDA array")
        outd = _as_device(out, "out")
        check_out(outd, p, out_dtype)
        result = out
    elif on_device:
        outd = result = cuda.device_array(p.out_shape, out_dtype, stream=stream)
    else:
        if out is not None:
            check_out(out, p, out_dtype)
            if not out.flags.writeable:
                raise ValueError("batch_dot requires a writeable out, got a read-only array")
        result = np.empty(p.out_shape, out_dtype) if out is None else out

    B, M, N, K = p.batch, p.m, p.n, p.contracted
    if B * M * N == 0:
        return _wrap(result, x, y, out)
    if K == 0:
        if isinstance(result, np.ndarray):
            result[...] = 0
        else:
            _copy(cuda.to_device(np.zeros(p.out_shape, out_dtype), stream=stream), outd, stream, config)
        return _wrap(result, x, y, out)

    if on_device:
        x3, cx = _canonical_operand(xd, p.x_order, (1, len(p.x_free), 1), (B, M, K), stream, config)
        y3, cy = _canonical_operand(yd, p.y_order, (1, 1, len(p.y_free)), (B, K, N), stream, config)
        if cx or cy:
            log.debug("cuda: operands copied on the device into canonical order (x: %s, y: %s)", cx, cy)
    else:  # host inputs: copied in, already in canonical order (the only copies of this path)
        x3h, y3h, _ = p.canonical(xh, yh)
        x3 = cuda.to_device(np.ascontiguousarray(x3h))
        y3 = cuda.to_device(np.ascontiguousarray(y3h))

    if isinstance(result, np.ndarray):
        tmp = cuda.device_array((B, M, N), out_dtype)
        _compute(x3, y3, tmp, kernel, lanes, stream, config)
        result[...] = tmp.copy_to_host().reshape(p.out_shape)
        return result

    out3 = None
    if not (on_device and (_overlap(outd, xd) or _overlap(outd, yd))):
        nx = len(p.x_free)
        groups = (1, nx, len(p.out_shape) - 1 - nx)
        merged = _merge_strides(tuple(outd.shape), tuple(outd.strides), tuple(range(outd.ndim)), groups)
        out3 = None if merged is None else _view(outd, *merged)
    if out3 is None:  # out's strides admit no (B, M, N) view, or it overlaps an input
        tmp = cuda.device_array((B, M, N), out_dtype, stream=stream)
        _compute(x3, y3, tmp, kernel, lanes, stream, config)
        _copy(_view(tmp, tuple(outd.shape), _c_strides(outd.shape, out_dtype.itemsize)), outd, stream, config)
    else:
        _compute(x3, y3, out3, kernel, lanes, stream, config)
    return _wrap(result, x, y, out)


def _c_strides(shape, itemsize):
    strides, s = [], itemsize
    for n in reversed(shape):
        strides.append(s)
        s *= max(n, 1)
    return tuple(reversed(strides))


def _wrap(result, x, y, out):
    """CuPy inputs give a CuPy result (zero-copy); everything else is returned as is."""
    if out is not None or isinstance(result, np.ndarray) or not (_is_cupy(x) and _is_cupy(y)):
        return result
    import cupy

    return cupy.asarray(result)


def _simulator_has_shuffles():
    """False under a CUDA simulator without ``shfl_down_sync`` (Numba's has none): there the
    ``dot`` family runs one lane per output element, and its shuffle loops never run."""
    if not _SIMULATOR:
        return True
    from numba.cuda.simulator.kernelapi import FakeCUDAModule

    return hasattr(FakeCUDAModule, "shfl_down_sync")


def _small_batches(M, N, K, out_dtype, config):
    """Batch elements per block of ``small`` (0: one matrix does not fit the stage)."""
    stage = config.small_shared_bytes // accumulation_dtype(out_dtype).itemsize
    return min(stage // (M * K), stage // (K * N))


def _compute(x3, y3, out3, kernel, lanes, stream, config):
    """Choose and launch a kernel on canonical device views (``out3`` writeable, no overlap)."""
    B, M, K = x3.shape
    N = y3.shape[2]
    k_unit = (M == 1 or x3.strides[2] == x3.dtype.itemsize) and (N == 1 or y3.strides[1] == y3.dtype.itemsize)
    family, chosen = select_kernel(B, M, N, K, k_unit, config)
    if kernel is not None:
        family = kernel
        chosen = dot_lanes(K, k_unit, config) if kernel == "dot" else 1
    if family == "dot" and chosen > 1 and not _simulator_has_shuffles():
        chosen = 1  # one thread per output element needs no warp shuffle
    lanes = chosen if lanes is None else lanes
    if family == "dot" and (lanes < 1 or lanes > WARP or lanes & (lanes - 1)):
        raise ValueError(f"batch_dot requires lanes to be a power of two in [1, {WARP}], got {lanes}")
    if family == "dot" and lanes > 1 and not _simulator_has_shuffles():
        raise ValueError(
            f"batch_dot requires lanes=1 under Numba's CUDA simulator, which has no warp shuffles "
            f"(cuda.shfl_down_sync), got lanes={lanes}"
        )
    dtypes = (np.dtype(x3.dtype), np.dtype(y3.dtype), np.dtype(out3.dtype))
    fn = _kernel(family, *dtypes, config)
    log.debug("cuda %s B=%d M=%d K=%d N=%d lanes=%d", family, B, M, K, N, lanes)
    if family == "dot":
        _launch(fn, _grid(B * M * N * lanes, config.threads, config), config.threads, stream, x3, y3, out3, lanes)
    elif family == "small":
        per = _small_batches(M, N, K, dtypes[2], config)
        if per == 0:
            raise ValueError(
                f"batch_dot requires M*K and K*N within the shared-memory stage for "
                f"kernel='small', got M={M}, K={K}, N={N}"
            )
        _launch(fn, _grid(-(-B // per), 1, config), config.threads, stream, x3, y3, out3)
    else:
        tiles = B * -(-M // config.tile_m) * -(-N // config.tile_n)
        _launch(fn, _grid(tiles, 1, config), config.tiled_threads, stream, x3, y3, out3)
