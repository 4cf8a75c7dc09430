"""First-build verification: every generated kernel is checked before a user's data reaches it.

The vector kernels are LLVM IR written by batchdot (``vector.py``), compiled per dtype
combination.  Each compiled kernel is run once on a small random input of the very same Numba types (dtypes, layouts, writeability)
and compared with a float64 reference; a kernel that fails is never used (the engine falls
back to ``generic`` and logs a warning).
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from . import policy
from .kernels import work_items

log = logging.getLogger("batchdot")

_verified = {}
_verify_lock = threading.Lock()


def _like(a, shape, rng):
    """Random array of ``shape`` typed like ``a`` by Numba: same dtype, layout, writeability."""
    from numba import typeof

    layout = typeof(a).layout
    if a.dtype.kind == "f":
        v = rng.standard_normal(shape).astype(a.dtype)
    elif a.dtype.kind == "c":  # small integer real and imaginary parts: exact
        v = (rng.integers(-9, 10, shape) + 1j * rng.integers(-9, 10, shape)).astype(a.dtype)
    else:  # small integers (and 0/1 for bool and unsigned): products and sums stay exact
        v = rng.integers(0 if a.dtype.kind in "bu" else -9, 2 if a.dtype.kind == "b" else 10, shape).astype(a.dtype)
    if layout == "F":
        v = np.asfortranarray(v)
    elif layout == "A":
        v = np.repeat(v, 2, axis=1)[:, ::2]  # same values, non-contiguous
    if not a.flags.writeable:
        v.flags.writeable = False
    return v


def verify(family, kernel, parallel, x3, yk, out3, zero):
    """Check a freshly built kernel against a reference on a small input.

    ``yk`` is the kernel's own second argument: ``(B, K, N)``, or ``(B, N, K)`` for ``dot``.
    The check runs the very kernel about to be used: the one compiled for these dtypes, which
    serves every layout (``jit.general_signature``).  Float results must
    lie within ``4 (K + 2) eps |x| |y|`` of float64 products; integer results must be exact.
    """
    from numba import typeof

    key = (family, parallel, x3.dtype, yk.dtype, out3.dtype)
    ok = _verified.get(key)
    if ok is not None:
        return ok
    with _verify_lock:
        rng = np.random.default_rng(12345)
        B, M, K, N = 3, 11, 37, 45
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
        if parallel:  # on two threads, never beside another batchdot region
            policy.run_exclusive(kernel, 2, (xv, ykv, ov, zero, 4, 2))
        else:
            kernel(xv, ykv, ov, zero, 0, work_items(family, B, M, N))
        got = ov.reshape(B, M, N)
        if out3.dtype.kind == "f":
            x64, y64 = xm.astype(np.float64), ym.astype(np.float64)
            bound = 4 * (K + 2) * np.finfo(out3.dtype).eps * np.matmul(np.abs(x64), np.abs(y64))
            ok = bool(np.all(np.abs(got - np.matmul(x64, y64)) <= bound))
        else:  # NumPy's integer matmul wraps like the kernels
            ok = bool(np.array_equal(got, np.matmul(xm.astype(out3.dtype), ym.astype(out3.dtype))))
        if not ok:
            log.warning("kernel %s failed verification for %s; using generic instead", family, key[2:])
        _verified[key] = ok
    return ok


