"""The planning layer: shape inference, axes normalisation, canonical views, caching."""

import subprocess
import sys

import numpy as np
import pytest

from batchdot import ContractionPlan, plan
from batchdot._plan import normalize_axes


@pytest.mark.parametrize(
    "xs, ys, axes, out",
    [
        ((2, 2), (2, 2), 1, (2, 1)),
        ((32, 20, 1), (32, 30, 20), [1, 2], (32, 1, 30)),
        ((100, 20), (100, 30, 20), (1, 2), (100, 30)),
        ((10, 12, 4, 5), (10, 12, 5, 8), None, (10, 12, 4, 12, 8)),
        ((2, 2), (2, 3, 2), (1, 2), (2, 3)),
        ((2, 2, 3), (2, 3, 2), (-1, -2), (2, 2, 2)),
        ((5, 3), (5, 3, 4), None, (5, 4)),
        ((5, 4, 3), (5, 3), None, (5, 4)),
        ((0, 4, 3), (0, 3), None, (0, 4)),
    ],
)
def test_worked_shapes(xs, ys, axes, out):
    assert plan(xs, ys, axes).out_shape == out


@pytest.mark.parametrize(
    "axes, xn, yn, expected",
    [
        (None, 2, 2, (1, 1)),
        (None, 3, 2, (2, 1)),
        (None, 3, 4, (2, 2)),
        (1, 3, 3, (1, 1)),
        (np.int32(2), 3, 3, (2, 2)),
        ((-1, -2), 3, 3, (2, 1)),
        ([1, 2], 2, 3, (1, 2)),
        (np.array([1, 2]), 2, 3, (1, 2)),
        (np.array(1), 2, 3, (1, 1)),
        ((np.int64(1), np.uint8(1)), 2, 2, (1, 1)),
    ],
)
def test_normalize_axes(axes, xn, yn, expected):
    assert normalize_axes(axes, xn, yn) == expected


def test_plan_fields_and_repr():
    p = plan((10, 12, 4, 5), (10, 12, 5, 8))
    assert isinstance(p, ContractionPlan)
    assert (p.batch, p.m, p.k, p.n) == (10, 48, 5, 96)
    assert p.axes == (3, 2)
    assert p.x_free == (12, 4) and p.y_free == (12, 8)
    assert p.flops == 2 * 10 * 48 * 5 * 96
    assert "(10, 12, 4, 5)" in repr(p) and "M=48" in str(p)
    with pytest.raises(AttributeError):
        p.batch = 3  # frozen


def test_plan_is_cached_and_hashable():
    a = plan((4, 3), (4, 3), 1)
    assert plan((4, 3), (4, 3), 1) is a
    assert plan((4, 3), (4, 3), (1, 1)) == a
    assert plan((4, 3), (4, 3), [-1, -1]) == a
    assert len({a, plan((4, 3), (4, 3), (1, 1))}) == 1


def test_bool_axes_never_alias_cached_int_axes():
    plan((4, 3), (4, 3), 1)
    with pytest.raises(TypeError, match="bool"):
        plan((4, 3), (4, 3), True)
    with pytest.raises(TypeError):
        plan((4, 3), (4, 3), 1.0)


def test_plan_is_callable():
    p = plan((3, 2), (3, 4, 2), (1, 2))
    x, y = np.ones((3, 2)), np.ones((3, 4, 2))
    np.testing.assert_array_equal(p(x, y), np.full((3, 4), 2.0))
    with pytest.raises(ValueError, match=r"requires shapes \(3, 2\) and \(3, 4, 2\)"):
        p(np.ones((3, 3)), y)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a,
        np.asfortranarray,
        lambda a: a[::-1, ::2, ::-2],
        lambda a: a.transpose(0, 2, 1).copy().transpose(0, 2, 1),
    ],
    ids=["C", "F", "negative-strided", "transposed"],
)
def test_one_free_axis_never_copies(make):
    x = make(np.arange(5 * 12 * 12, dtype=float).reshape(5, 12, 12))
    y = make(np.arange(5 * 12 * 12, dtype=float).reshape(5, 12, 12) + 1)
    for axes in [(1, 1), (2, 2), (1, 2), (2, 1)]:
        p = plan(x.shape, y.shape, axes)
        x3, y3, (cx, cy) = p.canonical(x, y)
        assert (cx, cy) == (False, False)
        assert np.shares_memory(x3, x) and np.shares_memory(y3, y)
        assert not x3.flags.writeable
        np.testing.assert_array_equal(x3, np.moveaxis(x, axes[0], -1))
        np.testing.assert_array_equal(y3, np.moveaxis(y, axes[1], 1))


def test_unmergeable_free_axes_are_copied_and_reported():
    p = plan((10, 12, 4, 5), (10, 12, 5, 8))
    x, y = np.ones(p.x_shape), np.ones(p.y_shape)
    _, _, copied = p.canonical(x, y)
    assert copied == (False, True)  # y's free axes 1 and 3 straddle the contracted axis 2
    assert p.copies(x.strides, y.strides) == (False, True)


def test_planning_imports_no_numba():
    code = "import sys, batchdot._plan as p; p.plan((2,3),(2,3)); print('numba' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"
