"""batch_dot against results recorded from tf.keras.backend.batch_dot (tests/make_tf_fixture.py)."""

import pathlib

import numpy as np
import pytest

from batchdot import batch_dot

DATA = np.load(pathlib.Path(__file__).with_name("data") / "tf_batch_dot.npz")
N = int(DATA["n"])


def _axes(a):
    return int(a[0]) if a.size == 1 else tuple(int(v) for v in a)


def test_fixture_is_substantial():
    assert N >= 300, N
    assert str(DATA["tf_version"]).startswith("2.")


@pytest.mark.parametrize("i", range(N))
def test_matches_recorded_tf_keras(i):
    x, y, expected = DATA[f"x{i}"], DATA[f"y{i}"], DATA[f"out{i}"]
    got = batch_dot(x, y, _axes(DATA[f"axes{i}"]))
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    if x.dtype.kind == "i":
        np.testing.assert_array_equal(got, expected)
    else:
        k = max(x.shape) + 2
        tol = 4 * k * np.finfo(x.dtype).eps * max(1.0, float(np.abs(expected).max(initial=0)))
        np.testing.assert_allclose(got, expected, rtol=0, atol=tol)
