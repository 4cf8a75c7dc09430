"""Calls by symbol (``batchdot.cpu.jit.symbol_call``): the callee's own compiled code, any result."""

import numpy as np
import pytest
from numba import njit, types

from batchdot.cpu import jit
from batchdot.cpu.tiles import tile_span


@njit
def _axpy(a, x, y):
    return a * x + y


_axpy_by_symbol = jit.symbol_call(_axpy)


@njit
def _caller(a, x, y):
    return _axpy_by_symbol(a, x, y)


def test_a_call_by_symbol_returns_the_callees_result():
    x, y = np.arange(5.0), np.ones(5)
    np.testing.assert_array_equal(_caller(2.0, x, y), 2 * x + y)  # an array result (NRT reference)
    assert _caller(2, 3, 4) == 10  # another signature: another symbol
    assert len({name for (d, _), name in jit._BOUND.items() if d is _axpy}) == 2
    assert "_axpy" not in "".join(_caller.inspect_llvm().values()).replace("_axpy_by_symbol", "")


def test_load_hook_refuses_a_caller_cached_with_another_version():
    arr = types.Array(types.float64, 3, "A", readonly=True, aligned=False)
    out = types.Array(types.float64, 3, "A", aligned=False)
    argtys = (arr, arr, out, types.float64, types.int64, types.int64)
    jit._bind_on_load("batchdot.cpu.tiles", "tile_span", argtys, types.none, None)
    jit._bind_on_load("batchdot.cpu.tiles", "tile_span", argtys, None)  # a hook recorded without the result type
    assert jit._BOUND[tile_span, argtys] == jit._symbol(tile_span, argtys)
    for stale in (("batchdot.cpu.tiles", "gone_span", argtys, types.none, None),  # the callee is gone
                  ("batchdot.cpu.tiles", "tile_span", argtys, types.float64, None),  # it returns another type
                  ("batchdot.cpu.tiles", "tile_span", argtys[:4], types.none, None)):  # it takes other arguments
        with pytest.raises(RuntimeError, match="another version of batchdot"):
            jit._bind_on_load(*stale)
