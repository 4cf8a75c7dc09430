"""Property tests: batch_dot against the independent reference on random cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchdot import batch_dot, plan
from batchdot.testing import assert_batch_dot_close, reference_batch_dot

from strategies import cases, shapes_and_axes


@given(cases())
def test_matches_reference(case):
    x, y, axes = case
    xc, yc = x.copy(), y.copy()
    assert_batch_dot_close(batch_dot(x, y, axes), x, y, axes)
    np.testing.assert_array_equal(x, xc)
    np.testing.assert_array_equal(y, yc)


@given(shapes_and_axes())
def test_plan_shape_matches_reference(sa):
    xs, ys, axes, _ = sa
    ref, _ = reference_batch_dot(np.zeros(xs), np.zeros(ys), axes)
    assert plan(xs, ys, axes).out_shape == ref.shape


@given(cases(dtype_pairs=[(np.dtype(np.float32), np.dtype(np.float32))]),
       st.sampled_from([np.float64, np.complex128]))
def test_dtype_keyword_accumulates_wider(case, dtype):
    x, y, axes = case
    r = batch_dot(x, y, axes, dtype=dtype)
    assert_batch_dot_close(r, x, y, axes, dtype=dtype)


@given(cases(dtype_pairs=[(np.dtype(np.int8), np.dtype(np.int8)),
                          (np.dtype(np.uint8), np.dtype(np.int16))]))
def test_integer_results_are_exact_with_wider_dtype(case):
    x, y, axes = case
    r = batch_dot(x, y, axes, dtype=np.int64)
    ref, _ = reference_batch_dot(x, y, axes, np.int64)
    np.testing.assert_array_equal(r, ref)


def _batch_dot_into(x, y, axes, into):
    """``batch_dot(x, y, axes)``, or with ``into`` into an ``out`` filled with 7s first."""
    if not into:
        return batch_dot(x, y, axes)
    from batchdot._dtypes import resolve_dtypes

    out = np.full(plan(x.shape, y.shape, axes).out_shape, 7, resolve_dtypes(x.dtype, y.dtype)[0])
    assert batch_dot(x, y, axes, out=out) is out
    return out


@settings(max_examples=200, deadline=None)
@given(cases(max_rank=4, max_size=5), st.booleans())
def test_folds_match_reference_wherever_they_apply(case, into):
    """The CPU engine's folded runs (``x``'s batch and first free axis read as one, ``y``
    repeated: free axes on both sides of K), with no split taken and no bound on the repeated
    ``y``, so that they take every random case they can, against the reference, with and
    without out=."""
    from batchdot import _api
    from batchdot.cpu import choose

    x, y, axes = case
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_api, "_RUNNERS", {})
        mp.setattr(choose, "SPLIT_MAX", 0)
        mp.setattr(choose, "FOLD_SHARE", float("inf"))
        got = _batch_dot_into(x, y, axes, into)
    assert_batch_dot_close(got, x, y, axes)


@settings(max_examples=300, deadline=None)
@given(cases(max_rank=4, max_size=5), st.booleans())
def test_transposes_and_splits_match_reference_wherever_they_apply(case, into):
    """The CPU engine's transposed runs (one or few columns over x stored (B, K, M), y stored
    (B, N, K)) and split runs (free axes on both sides of K), their size thresholds lowered so
    that they take every random case they can, against the reference, with and without out=."""
    from batchdot import _api
    from batchdot.cpu import choose

    x, y, axes = case
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_api, "_RUNNERS", {})
        for name, value in (("SPLIT_BYTES", 0), ("SPLIT_SIDE", 1), ("SPLIT_RUN", 0), ("TRANSPOSED_MIN", 0)):
            mp.setattr(choose, name, value)
        mp.setattr(choose, "narrow_columns", lambda dtype: 64)
        got = _batch_dot_into(x, y, axes, into)
    assert_batch_dot_close(got, x, y, axes)
