"""Shape inference for ``batch_dot``: axes normalisation, validation and the contraction plan.

Plain Python (and NumPy for views); this module never imports Numba.  A plan is built
from shapes alone, cached, and describes the contraction in canonical form::

    x -> (B, M, K)    y -> (B, K, N)    out -> (B, M, N)

where ``M`` is the product of x's free axes (in order) and ``N`` the product of y's free
axes.  Kernels only ever see those canonical strided views.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass, field

import numpy as np

try:  # NumPy >= 1.25
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover - old NumPy
    from numpy import AxisError

__all__ = ["ContractionPlan", "plan", "normalize_axes", "check_out", "AxisError"]


# --------------------------------------------------------------------------- axes


def _as_axis(a, what):
    """One axis as a Python int; rejects bools, floats, strings, None and sequences."""
    if isinstance(a, (bool, np.bool_)):
        raise TypeError(f"batch_dot requires integer axes, got the bool {a!r} in {what}")
    try:
        return operator.index(a)
    except TypeError:
        raise TypeError(
            f"batch_dot requires axes to be None, an int or a pair of ints, "
            f"got {type(a).__name__} {a!r} in {what}"
        ) from None


def _axes_pair(axes, x_ndim, y_ndim):
    """The raw (not yet range-checked) pair of axes, following tf.keras.backend.batch_dot."""
    if axes is None:
        return (x_ndim - 1, y_ndim - 1) if y_ndim == 2 else (x_ndim - 1, y_ndim - 2)
    if isinstance(axes, np.ndarray):
        if axes.ndim == 0:
            a = _as_axis(axes[()], f"axes={axes!r}")
            return (a, a)
        if axes.ndim != 1 or axes.shape[0] != 2 or axes.dtype.kind not in "iu":
            raise ValueError(
                f"batch_dot requires an axes array to be 1-D, integer and of length 2, "
                f"got shape {axes.shape} and dtype {axes.dtype}"
            )
        return tuple(int(a) for a in axes)
    if isinstance(axes, (str, bytes)):
        raise TypeError(f"batch_dot requires axes to be None, an int or a pair of ints, got {axes!r}")
    if isinstance(axes, (tuple, list)):
        if len(axes) != 2:
            raise ValueError(
                f"batch_dot requires exactly one axis per operand (a pair), got {len(axes)} "
                f"axes {axes!r}"
            )
        if any(isinstance(a, (tuple, list, np.ndarray)) for a in axes):
            raise ValueError(
                f"batch_dot requires one axis per operand; multiple contracted axes are not "
                f"supported, got axes={axes!r}"
            )
        return tuple(_as_axis(a, f"axes={axes!r}") for a in axes)
    a = _as_axis(axes, f"axes={axes!r}")
    return (a, a)


def normalize_axes(axes, x_ndim, y_ndim):
    """Normalise ``axes`` to a pair of non-negative axes, one per operand.

    Parameters
    ----------
    axes : None, int, pair of ints or 1-D integer array of length 2
        As accepted by :func:`batchdot.batch_dot`.
    x_ndim, y_ndim : int
        Ranks of the two operands (each at least 2).

    Returns
    -------
    tuple of int
        ``(ax, ay)`` with ``1 <= ax < x_ndim`` and ``1 <= ay < y_ndim``.

    Raises
    ------
    TypeError, ValueError
        Malformed ``axes``, or an axis that names the batch axis 0.
    numpy.exceptions.AxisError
        An axis outside its operand's rank.
    """
    raw = _axes_pair(axes, x_ndim, y_ndim)
    pair = []
    for a, ndim, name in zip(raw, (x_ndim, y_ndim), ("x", "y")):
        if not -ndim <= a < ndim:
            raise AxisError(
                f"batch_dot requires each axis to lie in [{-ndim}, {ndim - 1}] for its operand, "
                f"got axis {a} for {name} of rank {ndim} (axes={axes!r})"
            )
        pair.append(a % ndim)
    if 0 in pair:
        raise ValueError(
            f"batch_dot requires contracted axes other than the batch axis 0, got axes={axes!r} "
            f"which normalise to {tuple(pair)} for ranks ({x_ndim}, {y_ndim}); if your inputs are "
            f"not batched, add a batch dimension with np.expand_dims(x, 0)"
        )
    return tuple(pair)


# --------------------------------------------------------------------------- plan


def _prod(shape):
    return math.prod(shape)


@dataclass(frozen=True)
class ContractionPlan:
    """Shape-level description of one ``batch_dot``: built from shapes alone, no data.

    The contraction is ``out[b, i..., j...] = sum_k x[b, ..., k, ...] * y[b, ..., k, ...]``,
    seen by the kernels in canonical form ``(B, M, K) x (B, K, N) -> (B, M, N)``.

    Attributes
    ----------
    x_shape, y_shape : tuple of int
        Operand shapes the plan was built for.
    axes : tuple of int
        Normalised contracted axes ``(ax, ay)``.
    batch : int
        Batch size ``B``.
    x_free, y_free : tuple of int
        Sizes of x's free axes (not batch, not contracted), and y's.
    contracted : int
        Contracted length ``K``.
    out_shape : tuple of int
        Shape of the result (``(B, 1)`` when the free axes are all gone).
    """

    x_shape: tuple
    y_shape: tuple
    axes: tuple
    batch: int
    x_free: tuple
    y_free: tuple
    contracted: int
    out_shape: tuple
    # Derived, kept out of eq/hash/repr.
    x_order: tuple = field(repr=False, compare=False)
    y_order: tuple = field(repr=False, compare=False)

    @property
    def m(self):
        """``M``: product of x's free sizes."""
        return _prod(self.x_free)

    @property
    def n(self):
        """``N``: product of y's free sizes."""
        return _prod(self.y_free)

    @property
    def k(self):
        """``K``: the contracted length (alias of ``contracted``)."""
        return self.contracted

    @property
    def flops(self):
        """Multiply-adds times two: ``2 * B * M * N * K``."""
        return 2 * self.batch * self.m * self.n * self.contracted

    def __str__(self):
        (ax, ay) = self.axes
        return (
            f"batch_dot {self.x_shape} . {self.y_shape} over axes ({ax}, {ay}) -> {self.out_shape}\n"
            f"  canonical (B={self.batch}, M={self.m}, K={self.contracted}) x "
            f"(B={self.batch}, K={self.contracted}, N={self.n})"
        )

    # -- strided views ------------------------------------------------------------

    def canonical(self, x, y):
        """Canonical views ``(B, M, K)`` of x and ``(B, K, N)`` of y.

        Parameters
        ----------
        x, y : numpy.ndarray
            Arrays of shapes ``x_shape`` and ``y_shape``.

        Returns
        -------
        x3, y3 : numpy.ndarray
            Read-only views sharing memory with ``x``/``y`` where the free axes can be merged
            into one strided axis (always the case with at most one free axis per operand),
            otherwise C-ordered copies of the permuted operand.
        copied : tuple of bool
            Whether ``x3`` and ``y3`` are copies.
        """
        x3 = x.transpose(self.x_order).reshape(self.batch, self.m, self.k)
        y3 = y.transpose(self.y_order).reshape(self.batch, self.k, self.n)
        # reshape returns a view whenever the free axes merge into one strided axis
        copied = (not np.may_share_memory(x3, x), not np.may_share_memory(y3, y))
        x3.flags.writeable = False
        y3.flags.writeable = False
        return x3, y3, copied

    def canonical_out(self, out):
        """The ``(B, M, N)`` view of an output array, or ``None`` if its strides do not allow one."""
        nx = len(self.x_free)
        ny = len(self.out_shape) - 1 - nx
        return merge_axes(out, tuple(range(out.ndim)), (1, nx, ny), readonly=False)

    def copies(self, x_strides, y_strides):
        """Which operands :meth:`canonical` would have to copy for the given strides (bytes)."""
        cx = _merge_strides(self.x_shape, x_strides, self.x_order, (1, len(self.x_free), 1))
        cy = _merge_strides(self.y_shape, y_strides, self.y_order, (1, 1, len(self.y_free)))
        return (cx is None, cy is None)

    def __call__(self, x, y, **kwargs):
        """Run this plan: ``batch_dot(x, y, axes=self.axes, **kwargs)`` after checking shapes."""
        from ._api import batch_dot

        xs, ys = np.shape(x), np.shape(y)
        if (tuple(xs), tuple(ys)) != (self.x_shape, self.y_shape):
            raise ValueError(
                f"batch_dot plan requires shapes {self.x_shape} and {self.y_shape}, got {xs} and {ys}"
            )
        return batch_dot(x, y, self.axes, **kwargs)


def merge_group(shape, strides, order, start, stop):
    """``(size, stride, ok)`` of the permuted axes ``order[start:stop]`` merged into one axis.

    ``ok`` is False when they cannot be one strided axis (then ``stride`` means nothing).
    Size-1 axes are ignored and an empty group has stride 0.  Plain integer code, compiled
    as it is inside the ``@njit`` overload (``batchdot._overload``).
    """
    size = 1
    for i in range(start, stop):
        size *= shape[order[i]]
    stride = 0
    expected = 0
    seen = False
    ok = True
    for i in range(stop - 1, start - 1, -1):  # innermost axis first
        n, s = shape[order[i]], strides[order[i]]
        if n != 1:
            if not seen:
                stride, seen = s, True
            elif s != expected:
                ok = False
            expected = s * n
    if size == 0 or not seen:
        return size, 0, True
    return size, stride, ok


def _merge_strides(shape, strides, order, groups):
    """Shape and strides of ``order``-permuted axes merged into ``len(groups)`` axes.

    ``groups`` gives the number of consecutive (permuted) axes that form each merged axis.
    Returns ``None`` when some group cannot be expressed as one strided axis.
    """
    out_shape, out_strides = [], []
    pos = 0
    for g in groups:
        size, stride, ok = merge_group(shape, strides, order, pos, pos + g)
        if not ok:
            return None
        pos += g
        out_shape.append(size)
        out_strides.append(stride)
    return tuple(out_shape), tuple(out_strides)


def merge_axes(a, order, groups, readonly=True):
    """View of ``a`` with axes permuted by ``order`` and merged by ``groups``, or ``None``."""
    merged = _merge_strides(a.shape, a.strides, order, groups)
    if merged is None:
        return None
    shape, strides = merged
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=not readonly and a.flags.writeable)


@functools.lru_cache(maxsize=1024)
def _plan_cached(x_shape, y_shape, pair):
    # ``pair`` is already a tuple of Python ints: True/1.0 never alias 1 in the cache.
    return _build(x_shape, y_shape, pair)


def _check_ranks(x_shape, y_shape):
    if len(x_shape) < 2 or len(y_shape) < 2:
        raise ValueError(
            f"batch_dot requires inputs of rank >= 2 (a batch axis and at least one more), "
            f"got shapes {x_shape} and {y_shape} of ranks {len(x_shape)} and {len(y_shape)}"
        )


def _build(x_shape, y_shape, pair):
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_shape[0] != y_shape[0]:
        raise ValueError(
            f"batch_dot requires equal batch sizes x.shape[0] == y.shape[0], "
            f"got shapes {x_shape} and {y_shape} ({x_shape[0]} != {y_shape[0]})"
        )
    ax, ay = normalize_axes(pair, x_ndim, y_ndim)
    if x_shape[ax] != y_shape[ay]:
        raise ValueError(
            f"batch_dot requires contracted dimensions of equal size, got x.shape[{ax}] = "
            f"{x_shape[ax]} and y.shape[{ay}] = {y_shape[ay]} for shapes {x_shape} and "
            f"{y_shape} with axes={pair}"
        )
    x_free_axes = tuple(a for a in range(1, x_ndim) if a != ax)
    y_free_axes = tuple(a for a in range(1, y_ndim) if a != ay)
    x_free = tuple(x_shape[a] for a in x_free_axes)
    y_free = tuple(y_shape[a] for a in y_free_axes)
    out_shape = (x_shape[0],) + x_free + y_free
    if len(out_shape) == 1:
        out_shape = (x_shape[0], 1)
    if len(out_shape) > _max_dims():
        raise ValueError(
            f"batch_dot requires a result of at most {_max_dims()} axes (NumPy's limit), got "
            f"{len(out_shape)} axes from inputs of ranks {x_ndim} and {y_ndim}"
        )
    return ContractionPlan(
        x_shape=x_shape,
        y_shape=y_shape,
        axes=(ax, ay),
        batch=x_shape[0],
        x_free=x_free,
        y_free=y_free,
        contracted=x_shape[ax],
        out_shape=out_shape,
        x_order=(0,) + x_free_axes + (ax,),
        y_order=(0, ay) + y_free_axes,
    )


@functools.cache
def _max_dims():
    """The most axes a NumPy array may have (64 in NumPy 2, 32 before)."""
    try:
        np.empty((1,) * 64)
        return 64
    except ValueError:  # pragma: no cover - NumPy 1
        return 32


def _shape(s, name):
    try:
        t = tuple(operator.index(d) for d in s)
    except TypeError:
        raise TypeError(f"batch_dot requires {name} to be a tuple of ints, got {s!r}") from None
    if any(d < 0 for d in t):
        raise ValueError(f"batch_dot requires non-negative sizes, got {name}={t}")
    return t


def plan(x_shape, y_shape, axes=None):
    """Plan ``batch_dot`` for operands of the given shapes, without any data.

    Parameters
    ----------
    x_shape, y_shape : tuple of int
        Shapes of the two operands; axis 0 is the batch.
    axes : None, int, pair of ints, optional
        Contracted axes, as for :func:`batchdot.batch_dot`.

    Returns
    -------
    ContractionPlan
        Frozen, hashable and cached: equal arguments return the same object.

    Raises
    ------
    ValueError, TypeError, numpy.exceptions.AxisError
        The error table of :func:`batchdot.batch_dot` that depends on shapes and axes.

    Examples
    --------
    >>> from batchdot import plan
    >>> plan((100, 20), (100, 30, 20), axes=(1, 2)).out_shape
    (100, 30)
    """
    xs, ys = _shape(x_shape, "x_shape"), _shape(y_shape, "y_shape")
    _check_ranks(xs, ys)
    return _plan_cached(xs, ys, _axes_pair(axes, len(xs), len(ys)))


def check_out(out, p, out_dtype):
    """Shape and dtype of ``out`` (a host or a device array) against the plan ``p``."""
    if tuple(out.shape) != p.out_shape:
        raise ValueError(f"batch_dot requires out of shape {p.out_shape}, got out of shape {tuple(out.shape)}")
    if np.dtype(out.dtype) != out_dtype:
        raise TypeError(f"batch_dot requires out of dtype {out_dtype}, got out of dtype {out.dtype}")
