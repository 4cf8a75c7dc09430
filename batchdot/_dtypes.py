"""Dtype rules of ``batch_dot``: result dtype, accumulation dtype, what the kernels accept.

Plain NumPy; no Numba import.
"""

from __future__ import annotations

import numpy as np

__all__ = ["resolve_dtypes", "kernel_dtype", "SUPPORTED"]

#: Dtypes batch_dot computes with (native byte order).  float16 is computed via float32.
SUPPORTED = tuple(
    np.dtype(t)
    for t in (
        np.bool_,
        np.int8, np.int16, np.int32, np.int64,
        np.uint8, np.uint16, np.uint32, np.uint64,
        np.float16, np.float32, np.float64,
        np.complex64, np.complex128,
    )
)
_NAMES = "bool, (u)int8-64, float16/32/64 or complex64/128"


def _check(dt, what):
    """Reject unsupported dtypes, comparing by value: ``np.longlong`` ('q') is int64 ('l') here."""
    if not (dt.kind in "biufc" and dt.newbyteorder("=") in SUPPORTED):
        raise TypeError(f"batch_dot requires numeric dtypes ({_NAMES}), got {dt} for {what}")


def resolve_dtypes(x_dtype, y_dtype, dtype=None):
    """Output and accumulation dtypes for operands of dtypes ``x_dtype`` and ``y_dtype``.

    Parameters
    ----------
    x_dtype, y_dtype : numpy.dtype
        Operand dtypes (any byte order).
    dtype : dtype-like, optional
        Requested accumulation and output dtype.  Both operand dtypes must cast to it under
        ``same_kind`` rules, as for ``np.matmul(..., dtype=...)``.

    Returns
    -------
    out_dtype, acc_dtype : numpy.dtype
        ``out_dtype`` is ``np.result_type(x, y)`` (as ``np.matmul``) unless ``dtype`` is given.
        ``acc_dtype`` is what sums are carried in: float32 for float16, int64/uint64 for
        integers (identical results modulo 2**bits), int64 for bool (stored as ``sum != 0``).
    """
    xd, yd = np.dtype(x_dtype), np.dtype(y_dtype)
    _check(xd, "x")
    _check(yd, "y")
    if dtype is None:
        out = np.result_type(xd, yd)
    else:
        try:
            out = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"batch_dot requires dtype= to be a NumPy dtype, got {dtype!r}") from None
        _check(out, "dtype=")
        for dt, name in ((xd, "x"), (yd, "y")):
            if not np.can_cast(dt, out, "same_kind"):
                raise TypeError(
                    f"batch_dot requires dtype= to be reachable from the inputs under same_kind "
                    f"casting, got {name} of dtype {dt} and dtype={out}"
                )
    out = out.newbyteorder("=")
    return out, accumulation_dtype(out)


def accumulation_dtype(out):
    """The dtype sums are carried in for an output of dtype ``out``."""
    kind = out.kind
    if kind == "b":
        return np.dtype(np.int64)
    if kind == "i":
        return np.dtype(np.int64)
    if kind == "u":
        return np.dtype(np.uint64)
    if out == np.float16:
        return np.dtype(np.float32)
    return out


def kernel_dtype(dt):
    """The dtype an operand of dtype ``dt`` is handed to the kernels in (native; no float16).

    Equal to ``dt`` except for non-native byte order (swapped) and float16 (widened to
    float32, exactly), both of which cost a copy of that operand.
    """
    native = dt if dt.isnative else dt.newbyteorder("=")
    return np.dtype(np.float32) if native == np.float16 else native
