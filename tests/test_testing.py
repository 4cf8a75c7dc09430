"""The reference itself, checked against a plain Python loop over the definition."""

import itertools

import numpy as np

from batchdot.testing import random_case, reference_axes, reference_batch_dot


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
