"""The reference itself, checked against a plain Python loop over the definition."""

import itertools

import numpy as np
import pytest

from batchdot import batch_dot
from batchdot.testing import assert_batch_dot_close, random_case, reference_axes, reference_batch_dot


def naive(x, y, ax, ay):
    x, y = np.asarray(x, dtype=object), np.asarray(y, dtype=object)
    xm = np.moveaxis(x, ax, -1)
    ym = np.moveaxis(y, ay, 1)
    out = np.empty(xm.shape[:-1] + ym.shape[2:], dtype=object)
    for idx in itertools.product(*map(range, out.shape)):
        b, i, j = idx[0], idx[1 : xm.ndim - 1], idx[xm.ndim - 1 :]
        out[idx] = sum((xm[(b,) + i + (k,)] * ym[(b, k) + j] for k in range(xm.shape[-1])), 0)
    return out.reshape(out.shape[0], 1) if out.ndim == 1 else out


def test_reference_matches_naive_loop_with_exact_integers():
    rng = np.random.default_rng(0)
    for _ in range(200):
        x, y, axes = random_case(rng, max_rank=4, max_size=3, dtypes=(np.int16, np.int64, np.uint8))
        ref, out_dtype = reference_batch_dot(x, y, axes)
        ax, ay = reference_axes(x.ndim, y.ndim, axes)
        exact = naive(x.astype(np.int64).astype(object), y.astype(np.int64).astype(object), ax, ay)
        assert ref.shape == exact.shape
        wrapped = [int(v) % 2**64 for v in exact.ravel()]
        assert ref.astype(np.uint64).ravel().tolist() == wrapped


def test_results_that_overflow_the_result_dtype_may_be_infinite_only_there():
    """Where the sums may overflow the result dtype (64-bit integers summed into complex64, int16
    products into float16), ``inf`` or NaN are accepted; elsewhere, and a finite element off
    by more than the bound, still fail."""
    big = np.full((1, 5), 2 ** 63 - 1, np.int64)
    x, y = np.concatenate([big, big // 2 ** 40]), np.concatenate([big, big // 2 ** 40])
    got = batch_dot(x, y, dtype=np.complex64)
    assert np.isinf(got[0, 0]) and np.isfinite(got[1, 0])  # 5 * 8.5e37 overflows complex64
    assert_batch_dot_close(got, x, y, dtype=np.complex64)
    wrong = got.copy()
    wrong[1, 0] = np.inf  # the second element fits: inf there is an error
    with pytest.raises(AssertionError):
        assert_batch_dot_close(wrong, x, y, dtype=np.complex64)
    wrong = got.copy()
    wrong[1, 0] *= 1.01
    with pytest.raises(AssertionError):
        assert_batch_dot_close(wrong, x, y, dtype=np.complex64)
    a = np.full((2, 3, 4), 300, np.int16)  # 4 * 300 ** 2 = 360000 > float16's 65504
    a[1] = 3
    with np.errstate(over="ignore"):  # (the sums' cast to float16 overflows, as NumPy's would)
        got = batch_dot(a, a.transpose(0, 2, 1), dtype=np.float16)
    assert np.isinf(got[0]).all() and np.isfinite(got[1]).all()
    assert_batch_dot_close(got, a, a.transpose(0, 2, 1), dtype=np.float16)
