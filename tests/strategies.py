"""Hypothesis strategies shared by the property tests."""

import numpy as np
from hypothesis import strategies as st

from batchdot.testing import LAYOUTS, random_values, with_layout

SAME = [np.dtype(t) for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
    np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128)]
MIXED = [(np.dtype(a), np.dtype(b)) for a, b in (
    (np.int8, np.float32), (np.float32, np.float64), (np.bool_, np.int32), (np.uint8, np.int8),
    (np.int64, np.uint64), (np.float32, np.complex128), (np.int16, np.float16))]
DTYPE_PAIRS = [(d, d) for d in SAME] + MIXED


@st.composite
def shapes_and_axes(draw, max_rank=5, max_size=4):
    """(x_shape, y_shape, axes, (ax, ay)) with ``axes`` in one of the accepted forms."""
    xr = draw(st.integers(2, max_rank))
    yr = draw(st.integers(2, max_rank))
    size = st.integers(0, max_size)
    batch, k = draw(size), draw(size)
    ax, ay = draw(st.integers(1, xr - 1)), draw(st.integers(1, yr - 1))
    xs = [batch] + [draw(size) for _ in range(xr - 1)]
    ys = [batch] + [draw(size) for _ in range(yr - 1)]
    xs[ax] = ys[ay] = k
    default = (xr - 1, yr - 1) if yr == 2 else (xr - 1, yr - 2)
    forms = ["tuple", "list", "negative", "array"]
    if ax == ay:
        forms.append("int")
    if (ax, ay) == default:
        forms.append("none")
    form = draw(st.sampled_from(forms))
    axes = {
        "tuple": (ax, ay),
        "list": [ax, ay],
        "negative": (ax - xr, ay - yr),
        "array": np.array([ax, ay], dtype=draw(st.sampled_from([np.int64, np.int32, np.uint8]))),
        "int": ax,
        "none": None,
    }[form]
    return tuple(xs), tuple(ys), axes, (ax, ay)


@st.composite
def cases(draw, dtype_pairs=DTYPE_PAIRS, layouts=LAYOUTS, max_rank=5, max_size=4):
    """(x, y, axes): random values in random dtypes and memory layouts."""
    xs, ys, axes, _ = draw(shapes_and_axes(max_rank=max_rank, max_size=max_size))
    dx, dy = draw(st.sampled_from(dtype_pairs))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = with_layout(random_values(rng, xs, dx), draw(st.sampled_from(layouts)))
    y = with_layout(random_values(rng, ys, dy), draw(st.sampled_from(layouts)))
    return x, y, axes


@st.composite
def axis_chunks(draw, size, max_empty=2):
    """Chunks of one axis of length ``size``: random cuts, with zero-size chunks among them
    (as ``compute_chunk_sizes()`` leaves them after a boolean mask)."""
    cuts = sorted(draw(st.sets(st.integers(1, size - 1), max_size=3))) if size > 1 else []
    chunks = [int(c) for c in np.diff([0, *cuts, size])]
    for _ in range(draw(st.integers(0, max_empty))):
        chunks.insert(draw(st.integers(0, len(chunks))), 0)
    return tuple(chunks)


@st.composite
def chunkings(draw, shape, max_empty=2):
    """Dask chunks for an array of ``shape``: :func:`axis_chunks` for every axis."""
    return tuple(draw(axis_chunks(s, max_empty)) for s in shape)
