"""``--dtype`` of ``python -m batchdot bench``: which dtypes a benchmark row computes in.

A spec is ``X`` (both operands), ``X,Y`` (a mixed pair) or either of those followed by
``:R`` (``batch_dot(..., dtype=R)``, the accumulation and result dtype).  Every name is
any NumPy spelling of a dtype ``batch_dot`` supports (``float32``, ``f4``, ``int8``, ``i1``,
``bool`` ...).  Plain NumPy: the command line is checked without importing Numba.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from .._dtypes import SUPPORTED, resolve_dtypes

__all__ = ["DtypeSpec", "dtype_spec", "DEFAULT_SPECS", "SPEC_SYNTAX"]

SPEC_SYNTAX = "X, X,Y or X[,Y]:R"
_NAMES = ", ".join(dt.name for dt in SUPPORTED)


@dataclass(frozen=True)
class DtypeSpec:
    """Operand dtypes ``x`` and ``y`` and the ``dtype=`` target (``None``: NumPy's promotion)."""

    x: np.dtype
    y: np.dtype
    target: np.dtype | None = None

    def __str__(self):
        s = self.x.name if self.x == self.y else f"{self.x.name},{self.y.name}"
        return s if self.target is None else f"{s}:{self.target.name}"

    @property
    def out(self):
        """The result dtype (``np.result_type(x, y)`` or the target)."""
        return resolve_dtypes(self.x, self.y, self.target)[0]

    @property
    def acc(self):
        """The dtype ``batch_dot`` sums in (float32 for float16, int64/uint64 for integers)."""
        return resolve_dtypes(self.x, self.y, self.target)[1]

    @property
    def kwargs(self):
        """Keyword arguments of the ``batch_dot`` call."""
        return {} if self.target is None else {"dtype": self.target}

    @property
    def compute(self):
        """``(real float dtype, real flops per counted flop)`` of the sums, or ``None``.

        The FMA peak of that float dtype bounds the compute.  A complex multiply-add is four
        real ones, so ``plan.flops`` counts a quarter of the real flops.  Integer and bool sums
        have no measured compute ceiling.
        """
        acc = self.acc
        if acc.kind == "f":
            return acc, 1
        if acc.kind == "c":
            return np.dtype(f"f{acc.itemsize // 2}"), 4
        return None


#: What ``--dtype`` defaults to.
DEFAULT_SPECS = (DtypeSpec(np.dtype(np.float32), np.dtype(np.float32)),
                 DtypeSpec(np.dtype(np.float64), np.dtype(np.float64)))


def _dtype(name, text):
    name = name.strip()
    where = "" if name == text.strip() else f" in {text!r}"
    try:
        dt = np.dtype(name)
    except (TypeError, ValueError, SyntaxError):
        dt = None
    if dt is None or not name:
        hint = " (the dtype= target follows a colon: int8:int32)" if ">" in name else ""
        raise argparse.ArgumentTypeError(f"{name!r}{where} is not a NumPy dtype{hint}; "
                                         f"expected {SPEC_SYNTAX} with names among {_NAMES}")
    if not dt.isnative:
        raise argparse.ArgumentTypeError(f"{name!r}{where} is not in native byte order; the bench "
                                         f"measures native data")
    for supported in SUPPORTED:  # by value: 'q', 'l' and 'int64' are one dtype
        if dt == supported:
            return supported
    raise argparse.ArgumentTypeError(f"{name!r}{where} is {dt}, which batch_dot does not compute; "
                                     f"expected one of {_NAMES}")


def dtype_spec(text):
    """``argparse`` type of ``--dtype``: a :class:`DtypeSpec`, or ``ArgumentTypeError`` (exit 2)."""
    operands, colon, target = text.partition(":")
    names = operands.split(",")
    if len(names) > 2:
        raise argparse.ArgumentTypeError(f"{text!r} names {len(names)} operands; expected {SPEC_SYNTAX}")
    if colon and ":" in target:
        raise argparse.ArgumentTypeError(f"{text!r} has more than one ':'; expected {SPEC_SYNTAX}")
    x = _dtype(names[0], text)
    y = _dtype(names[1], text) if len(names) == 2 else x
    t = _dtype(target, text) if colon else None
    try:
        resolve_dtypes(x, y, t)
    except TypeError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return DtypeSpec(x, y, t)
