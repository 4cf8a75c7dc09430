"""Property tests: batch_dot against the independent reference on random cases."""

import numpy as np
from hypothesis import given
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
