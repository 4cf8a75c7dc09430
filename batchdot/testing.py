"""Testing helpers users can reuse: an independent reference and random case generators.

The reference is written from the rules of ``batch_dot`` alone, with NumPy's ``einsum`` in
float64/complex128 or exact (wrapping) 64-bit integers; it shares no code with the
planning layer or the kernels.
"""

from __future__ import annotations

import string

import numpy as np

__all__ = [
    "reference_batch_dot",
    "reference_axes",
    "error_bound",
    "assert_batch_dot_close",
    "random_case",
    "LAYOUTS",
    "with_layout",
]


def reference_axes(x_ndim, y_ndim, axes=None):
    """The pair of non-negative axes ``batch_dot`` contracts (inputs assumed valid)."""
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 1) if y_ndim == 2 else (x_ndim - 1, y_ndim - 2)
    elif np.ndim(axes) == 0:
        axes = (int(axes), int(axes))
    ax, ay = (int(a) for a in axes)
    return ax % x_ndim, ay % y_ndim


def _wide(dtype):
    """The dtype the reference computes in: exact for integers, float64/complex128 else."""
    dtype = np.dtype(dtype)
    if dtype.kind in "bi":
        return np.dtype(np.int64)
    if dtype.kind == "u":
        return np.dtype(np.uint64)
    if dtype.kind == "c":
        return np.dtype(np.complex128)
    return np.dtype(np.float64)


def reference_batch_dot(x, y, axes=None, dtype=None):
    """Independent reference for ``batch_dot``.

    Parameters
    ----------
    x, y : array_like
        Valid operands.
    axes : None, int or pair of ints
    dtype : dtype-like, optional
        Output dtype; default ``np.result_type(x, y)``.

    Returns
    -------
    wide : numpy.ndarray
        The result in float64/complex128 (floats) or exact wrapping int64/uint64 (integers;
        for bool the count of true products), of the ``batch_dot`` output shape.
    out_dtype : numpy.dtype
        The dtype ``batch_dot`` must return.
    """
    x, y = np.asarray(x), np.asarray(y)
    out_dtype = np.result_type(x, y) if dtype is None else np.dtype(dtype)
    ax, ay = reference_axes(x.ndim, y.ndim, axes)
    letters = iter(string.ascii_letters)
    batch, k = next(letters), next(letters)
    xs = [batch] + [k if d == ax else next(letters) for d in range(1, x.ndim)]
    ys = [batch] + [k if d == ay else next(letters) for d in range(1, y.ndim)]
    outs = [batch] + [s for s in xs[1:] if s != k] + [s for s in ys[1:] if s != k]
    wide = _wide(out_dtype)
    res = np.einsum(f"{''.join(xs)},{''.join(ys)}->{''.join(outs)}", x.astype(wide), y.astype(wide))
    if res.ndim == 1:
        res = res.reshape(-1, 1)
    return res, out_dtype


def _accumulation(out_dtype):
    """The dtype a float or complex result of ``out_dtype`` is summed in (float32 for float16)."""
    return np.dtype(np.float32) if out_dtype == np.float16 else out_dtype


def _magnitudes(x, y, axes):
    """``sum_k |x| |y|`` per element of the result, in float64."""
    mags, _ = reference_batch_dot(np.abs(np.asarray(x).astype(np.complex128)),
                                  np.abs(np.asarray(y).astype(np.complex128)), axes)
    return mags.real


def error_bound(x, y, axes=None, dtype=None):
    """Forward error bound of a computed ``batch_dot`` against the exact result, elementwise.

    ``2 (K + 2) u * sum_k |x||y|`` plus the final rounding to the output dtype, with ``u``
    the unit roundoff of the accumulation dtype (float32 for float16 outputs).  Zero for
    integer and bool outputs, which must match exactly.
    """
    x, y = np.asarray(x), np.asarray(y)
    ref, out_dtype = reference_batch_dot(x, y, axes, dtype)
    if out_dtype.kind in "biu":
        return np.zeros(ref.shape)
    ax, ay = reference_axes(x.ndim, y.ndim, axes)
    k = x.shape[ax]
    u = np.finfo(_accumulation(out_dtype)).eps / 2
    mags = _magnitudes(x, y, axes)
    u_out = np.finfo(out_dtype).eps / 2
    tiny = np.finfo(out_dtype).tiny
    return 2 * (k + 2) * u * mags * (2 if out_dtype.kind == "c" else 1) + u_out * np.abs(ref) + tiny


def assert_batch_dot_close(result, x, y, axes=None, dtype=None):
    """Assert ``result`` is ``batch_dot(x, y, axes, dtype=dtype)`` to within :func:`error_bound`.

    Checks shape and dtype exactly; integers and bools exactly; floats within the bound, with
    NaN where the reference has NaN and equal infinities.  Where the computation may overflow
    the result dtype (the sum of ``|x| |y|`` beyond the accumulation dtype's largest finite
    value, or the reference within the bound of the result dtype's), an infinite or NaN
    element is accepted too: which of the two, and which sign, depends on the order of the sums
    (``inf - inf``).  Whether such products give NumPy's own ``(x * y).sum()`` there is for
    dedicated checks (the reference is computed in a wider dtype, where they do not overflow).
    """
    ref, out_dtype = reference_batch_dot(x, y, axes, dtype)
    result = np.asarray(result)
    assert result.shape == ref.shape, f"shape {result.shape} != expected {ref.shape}"
    assert result.dtype == out_dtype, f"dtype {result.dtype} != expected {out_dtype}"
    if out_dtype.kind == "b":
        np.testing.assert_array_equal(result, ref != 0)
        return
    if out_dtype.kind in "iu":
        np.testing.assert_array_equal(result, ref.astype(out_dtype))
        return
    bound = error_bound(x, y, axes, dtype)
    got = result.astype(ref.dtype)
    finite = np.isfinite(ref)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where the result overflowed
        err = np.abs(got - ref)
    bad = finite & ~(err <= bound)
    overflowed = bad & ~np.isfinite(got)
    if overflowed.any():  # accepted where the computation may overflow the result dtype
        may = (_magnitudes(x, y, axes) > np.finfo(_accumulation(out_dtype)).max) | (
            np.abs(ref) + bound > np.finfo(out_dtype).max)
        bad &= ~(overflowed & may)
    assert not bad.any(), (
        f"{bad.sum()} of {bad.size} elements exceed the error bound; worst error "
        f"{err[bad].max()} vs bound {bound[bad][np.argmax(err[bad])]}"
    )
    np.testing.assert_array_equal(np.isnan(got[~finite]), np.isnan(ref[~finite]))


# --------------------------------------------------------------------------- cases

#: Memory layouts :func:`with_layout` can produce, all holding the same values.
LAYOUTS = ("C", "F", "transposed", "strided", "negative", "bigendian", "readonly")


def with_layout(a, layout, rng=None):
    """The values of ``a`` in another memory layout (a new array or a view of a new array)."""
    a = np.asarray(a)
    if layout == "C":
        return np.ascontiguousarray(a)
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "transposed":
        # stored with axes reversed, viewed back in the original order
        return np.ascontiguousarray(a.transpose()).transpose()
    if layout == "strided":
        big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
        view = big[tuple(slice(None, None, 2) for _ in a.shape)]
        view[...] = a
        return view
    if layout == "negative":
        rev = tuple(slice(None, None, -1) for _ in a.shape)
        return np.ascontiguousarray(a[rev])[rev]
    if layout == "bigendian":
        return a.astype(a.dtype.newbyteorder(">" if a.dtype.byteorder != ">" else "<"))
    if layout == "readonly":
        r = a.copy()
        r.flags.writeable = False
        return r
    raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")


def random_values(rng, shape, dtype):
    """Random values of ``dtype`` that exercise signs and, for integers, wrap-around."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def random_case(rng, max_rank=4, max_size=5, dtypes=(np.float64,), layouts=("C",)):
    """A random valid ``(x, y, axes)`` triple.

    Parameters
    ----------
    rng : numpy.random.Generator
    max_rank : int
        Largest operand rank (>= 2).
    max_size : int
        Largest size of any axis (sizes from 0 when ``max_size`` allows).
    dtypes, layouts : sequences
        Candidates drawn independently for each operand.

    Returns
    -------
    x, y : numpy.ndarray
    axes : None, int or tuple
        In one of the accepted forms, possibly negative.
    """
    xr, yr = rng.integers(2, max_rank + 1, size=2)
    batch = int(rng.integers(0, max_size + 1))
    k = int(rng.integers(0, max_size + 1))
    ax, ay = int(rng.integers(1, xr)), int(rng.integers(1, yr))
    xs = [batch] + [int(rng.integers(0, max_size + 1)) for _ in range(xr - 1)]
    ys = [batch] + [int(rng.integers(0, max_size + 1)) for _ in range(yr - 1)]
    xs[ax], ys[ay] = k, k
    x = random_values(rng, tuple(xs), dtypes[rng.integers(len(dtypes))])
    y = random_values(rng, tuple(ys), dtypes[rng.integers(len(dtypes))])
    x = with_layout(x, layouts[rng.integers(len(layouts))])
    y = with_layout(y, layouts[rng.integers(len(layouts))])
    form = rng.integers(4)
    if form == 0:
        axes = (ax - xr if rng.random() < 0.5 else ax, ay - yr if rng.random() < 0.5 else ay)
    elif form == 1:
        axes = [ax, ay]
    elif form == 2 and ax == ay:
        axes = ax
    else:
        axes = np.array([ax, ay])
    return x, y, axes
