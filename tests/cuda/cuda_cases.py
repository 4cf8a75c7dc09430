"""CUDA back end cases, run on whatever ``numba.cuda`` is: the simulator or a real GPU.

Not collected by ``python -m pytest`` itself (the name does not match ``test_*.py``):
``tests/test_cuda.py`` runs this file in a subprocess with ``NUMBA_ENABLE_CUDASIM=1`` (the
simulator must be chosen before ``numba.cuda`` is first imported, while the PTX checks of
``test_cuda.py`` need the real ``numba.cuda`` in the main process), and once more without
the simulator when a CUDA driver is usable.  Run it by hand with::

    NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/cuda/cuda_cases.py \\
        -W "ignore:overflow encountered:RuntimeWarning"

(NumPy scalars warn on the integer wrap-around the simulator performs in Python; a GPU wraps
silently, like the CPU kernels.)  Everything is compared with the independent reference of
:mod:`batchdot.testing`.  Shapes are small: the simulator runs every thread in Python.
"""

import numpy as np
import pytest
from numba import cuda

from batchdot import batch_dot
from batchdot import _cuda
from batchdot._cuda import CONFIG, FAMILIES, LaunchConfig, _batch_dot_cuda
from batchdot._dtypes import SUPPORTED
from batchdot._plan import AxisError
from batchdot.testing import assert_batch_dot_close, random_values

#: Small tiles, few threads and at most 3 blocks, so that the simulator is quick and every
#: tile remainder and grid-stride loop is exercised by small shapes.
SIM = LaunchConfig(
    threads=64, max_blocks=3, dot_min_k=4, small_max=8, small_shared_bytes=4096,
    tile_m=8, tile_n=8, tile_k=4, reg_m=2, reg_n=2,
)
CONFIGS = {"sim": SIM, "default": CONFIG}

pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")


def rng(*seed):
    return np.random.default_rng(list(seed) or [0])


def to_host(a):
    """Host copy of a device array of any strides (Numba cannot copy negative strides out)."""
    if isinstance(a, np.ndarray):
        return a
    if any(s < 0 for s in a.strides):
        c = cuda.device_array(a.shape, a.dtype)
        _cuda._copy(a, c, 0, CONFIG)
        a = c
    return a.copy_to_host()


def device(a, layout="C"):
    """A device array holding the values of host array ``a`` in the given memory layout."""
    a = np.asarray(a)
    if layout == "C":
        return cuda.to_device(np.ascontiguousarray(a))
    if layout == "F":
        return cuda.to_device(np.asfortranarray(a))
    if layout == "strided":  # every other element of a larger array
        big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        return cuda.to_device(big)[tuple(slice(None, None, 2) for _ in a.shape)]
    if layout == "negative":  # every axis reversed
        rev = tuple(slice(None, None, -1) for _ in a.shape)
        return cuda.to_device(np.ascontiguousarray(a[rev]))[rev]
    if layout == "transposed":  # stored with the axes reversed, viewed in the original order
        d = cuda.to_device(np.ascontiguousarray(a.transpose()))
        return _cuda._view(d, a.shape, tuple(reversed(d.strides)))
    raise ValueError(layout)


def values(shape, dtype, seed=0):
    return random_values(rng(seed), shape, dtype)


def check(x, y, axes=None, *, layouts=("C", "C"), dtype=None, **kw):
    """Device arrays in, device array out; compared with the reference."""
    dx, dy = device(x, layouts[0]), device(y, layouts[1])
    np.testing.assert_array_equal(to_host(dx), x)  # the layout helper itself is right
    res = _batch_dot_cuda(dx, dy, axes, dtype=dtype, **kw)
    assert not isinstance(res, np.ndarray)
    assert_batch_dot_close(to_host(res), x, y, axes, dtype)
    np.testing.assert_array_equal(to_host(dx), x)  # inputs untouched
    return res


# --------------------------------------------------------------------------- families


@pytest.mark.parametrize("dtype", SUPPORTED, ids=str)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_every_dtype(family, dtype):
    # tile remainders along M, N and K; 2 batch elements
    x, y = values((2, 10, 6), dtype, 1), values((2, 6, 9), dtype, 2)
    check(x, y, (2, 1), kernel=family, config=SIM)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    "xs, ys, axes",
    [
        ((3, 1, 5), (3, 5, 1), (2, 1)),  # M = N = 1: row dots
        ((4, 7), (4, 7), 1),  # rank 2: row dots, result (4, 1)
        ((2, 1, 9), (2, 9, 6), (2, 1)),  # M = 1: vector-matrix
        ((2, 9, 5), (2, 9), (1, 1)),  # N = 1, K strided (x transposed view)
        ((2, 5, 1), (2, 1, 6), (2, 1)),  # K = 1
        ((1, 17, 11), (1, 11, 9), (2, 1)),  # several tiles, remainders everywhere
        ((13, 3, 2), (13, 2, 3), None),  # many batch elements: grid-stride loops
        ((2, 8, 8), (2, 8, 8), None),  # exact tiles
    ],
)
def test_every_family_edge_shapes(family, xs, ys, axes):
    x, y = values(xs, np.float64, 3), values(ys, np.float64, 4)
    check(x, y, axes, kernel=family, config=SIM)
    xi, yi = values(xs, np.int32, 5), values(ys, np.int32, 6)
    check(xi, yi, axes, kernel=family, config=SIM)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("xs, ys, axes", [((0, 3, 4), (0, 4, 2), None), ((2, 0, 4), (2, 4, 3), None),
                                           ((2, 3, 0), (2, 0, 5), None), ((2, 3, 4), (2, 4, 0), None)])
def test_zero_sizes(family, xs, ys, axes):
    x, y = values(xs, np.float32), values(ys, np.float32)
    check(x, y, axes, kernel=family, config=SIM)
    assert_batch_dot_close(batch_dot(x, y, axes, device="cuda"), x, y, axes)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("dtype", [np.float32, np.complex128, np.int64])
def test_default_config(family, dtype):
    # the launch geometry batch_dot really uses; M, N just above one 64 x 64 tile
    shapes = {"dot": ((3, 1, 70), (3, 70, 5)), "small": ((3, 9, 7), (3, 7, 5)),
              "tiled": ((1, 65, 17), (1, 17, 66))}[family]
    x, y = values(shapes[0], dtype, 7), values(shapes[1], dtype, 8)
    check(x, y, (2, 1), kernel=family, config=CONFIG)


@pytest.mark.parametrize("lanes", [1, 2, 4, 8, 16, 32])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.uint64, np.int8, np.bool_, np.float16])
def test_dot_lane_groups(lanes, dtype):
    # K = 37 is no multiple of any group width; outputs do not fill whole warps
    x, y = values((3, 37), dtype, 9), values((3, 5, 37), dtype, 10)
    check(x, y, (1, 2), kernel="dot", lanes=lanes, config=SIM)


@pytest.mark.parametrize(
    "xs, ys, family",
    [((40, 9), (40, 9), "dot"), ((4, 1, 9), (4, 9, 7), "dot"), ((4, 5, 6), (4, 6, 7), "small"),
     ((1, 40, 3), (1, 3, 33), "tiled")],
)
def test_batch_dot_uses_select_kernel(xs, ys, family, caplog):
    x, y = values(xs, np.float32), values(ys, np.float32)
    with caplog.at_level("DEBUG", logger="batchdot"):
        res = batch_dot(device(x), device(y), (1, 1) if len(ys) == 2 else None)
    assert f"cuda {family} " in caplog.text
    assert_batch_dot_close(to_host(res), x, y, (1, 1) if len(ys) == 2 else None)


def test_bad_lanes():
    x = device(np.ones((2, 3)))
    with pytest.raises(ValueError, match="lanes to be a power of two"):
        _batch_dot_cuda(x, x, 1, kernel="dot", lanes=3)


def test_small_refuses_what_does_not_fit():
    x = device(np.ones((2, 40, 40)))  # 1600 float64 > the 512 of SIM's stage
    with pytest.raises(ValueError, match="kernel='small'"):
        _batch_dot_cuda(x, x, kernel="small", config=SIM)


def test_unknown_family():
    x = device(np.ones((2, 3)))
    with pytest.raises(ValueError, match="kernel to be one of"):
        _batch_dot_cuda(x, x, 1, kernel="nope")


# --------------------------------------------------------------------------- layouts


LAYOUTS = ("C", "F", "transposed", "strided", "negative")


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_rank3(family, layout):
    x, y = values((3, 6, 5), np.float64, 11), values((3, 5, 7), np.float64, 12)
    check(x, y, (2, 1), layouts=(layout, "C"), kernel=family, config=SIM)
    check(x, y, (2, 1), layouts=("C", layout), kernel=family, config=SIM)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_unmergeable_free_axes(layout):
    # two free axes per operand: F, transposed and strided layouts force a device copy
    x, y = values((2, 3, 4, 5), np.complex64, 13), values((2, 4, 3, 6), np.complex64, 14)
    for family in FAMILIES:
        check(x, y, (2, 1), layouts=(layout, layout), kernel=family, config=SIM)
    check(x, y, (2, 1), layouts=(layout, layout))


def test_unmergeable_copy_is_reported(caplog):
    x, y = values((2, 3, 4, 5), np.float32), values((2, 5, 3), np.float32)
    with caplog.at_level("DEBUG", logger="batchdot"):
        check(x, y, layouts=("F", "C"), config=SIM)
    assert "copied on the device" in caplog.text


def test_mixed_dtypes_and_dtype_argument():
    cases = [(np.float32, np.float64, None), (np.float32, np.complex128, None),
             (np.int8, np.uint8, None), (np.bool_, np.float32, None), (np.float16, np.float32, None),
             (np.float32, np.float32, np.float64), (np.int8, np.int8, np.int64),
             (np.uint8, np.uint16, np.uint64), (np.float16, np.float16, np.float32)]
    for xd, yd, dt in cases:
        x, y = values((3, 4, 6), xd, 15), values((3, 6, 5), yd, 16)
        for family in FAMILIES:
            check(x, y, (2, 1), dtype=dt, kernel=family, config=SIM)


# inf times the zero padding of a tile gives NaN in outputs that are never stored; the
# simulator's NumPy scalars warn about it
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_and_inf_propagate():
    x = values((2, 3, 4), np.float32)
    y = values((2, 4, 5), np.float32)
    x[0, 1, 2] = np.nan
    y[1, 0, 3] = np.inf
    with np.errstate(invalid="ignore"):  # the reference compares inf - inf
        for family in FAMILIES:
            check(x, y, None, kernel=family, config=SIM)


# --------------------------------------------------------------------------- out=


@pytest.mark.parametrize("family", FAMILIES)
def test_device_out(family):
    x, y = values((3, 5, 4), np.float64), values((3, 4, 6), np.float64)
    out = cuda.device_array((3, 5, 6), np.float64)
    res = _batch_dot_cuda(device(x), device(y), (2, 1), out=out, kernel=family, config=SIM)
    assert res is out
    assert_batch_dot_close(out.copy_to_host(), x, y, (2, 1))


@pytest.mark.parametrize("layout", ["F", "strided", "negative", "transposed"])
def test_device_out_any_strides(layout):
    # out of rank 4: F / transposed strides admit no (B, M, N) view -> temporary + copy
    x, y = values((2, 3, 4, 5), np.float32), values((2, 5, 6), np.float32)
    out = device(np.zeros((2, 3, 4, 6), np.float32), layout)
    res = batch_dot(device(x), device(y), out=out)
    assert res is out
    assert_batch_dot_close(to_host(out), x, y)


def test_device_out_overlapping_input():
    x, y = values((3, 4, 4), np.float64), values((3, 4, 4), np.float64)
    dx = device(x)
    res = batch_dot(dx, device(y), out=dx)
    assert res is dx
    assert_batch_dot_close(dx.copy_to_host(), x, y)
    dy = device(y)
    batch_dot(device(x), dy, out=dy[:, :, :])  # a view of y, not y itself
    assert_batch_dot_close(dy.copy_to_host(), x, y)


# --------------------------------------------------------------------------- batch_dot


def test_batch_dot_follows_device_arrays():
    x, y = values((4, 3, 5), np.float32), values((4, 5, 2), np.float32)
    res = batch_dot(device(x), device(y))
    assert not isinstance(res, np.ndarray) and hasattr(res, "copy_to_host")
    assert_batch_dot_close(res.copy_to_host(), x, y)
    res = batch_dot(device(x), device(y), device="cuda")
    assert_batch_dot_close(res.copy_to_host(), x, y)


@pytest.mark.parametrize("layout", ["C", "F", "transposed", "strided", "negative", "bigendian", "readonly"])
@pytest.mark.parametrize("dtype", [np.float16, np.float64, np.complex64, np.int16, np.bool_])
def test_device_cuda_on_host_arrays(layout, dtype):
    from batchdot.testing import with_layout

    x, y = values((3, 4, 2, 5), dtype), values((3, 5, 6), dtype)
    hx, hy = with_layout(x, layout), with_layout(y, layout)
    res = batch_dot(hx, hy, device="cuda")
    assert isinstance(res, np.ndarray)
    assert_batch_dot_close(res, x, y)


def test_device_cuda_host_out():
    x, y = values((3, 4, 5), np.float64), values((3, 5, 6), np.float64)
    out = np.zeros((3, 6, 4)).transpose(0, 2, 1)
    assert batch_dot(x, y, out=out, device="cuda") is out
    assert_batch_dot_close(out, x, y)
    dout = cuda.device_array((3, 4, 6), np.float64)
    assert batch_dot(x, y, out=dout) is dout  # a device out sends host inputs to the GPU
    assert_batch_dot_close(dout.copy_to_host(), x, y)


def test_device_cpu_still_cpu():
    x, y = values((3, 4, 5), np.float64), values((3, 5, 6), np.float64)
    assert_batch_dot_close(batch_dot(x, y, device="cpu"), x, y)


# --------------------------------------------------------------------------- errors


def test_mixing_host_and_device_inputs():
    x = np.ones((2, 3))
    for a, b in ((x, device(x)), (device(x), x)):
        with pytest.raises(ValueError, match="both on the host or both CUDA device arrays"):
            batch_dot(a, b, 1)
        with pytest.raises(ValueError, match="both on the host or both CUDA device arrays"):
            batch_dot(a, b, 1, device="cuda")


def test_device_inputs_with_device_cpu():
    d = device(np.ones((2, 3)))
    with pytest.raises(ValueError, match="host arrays, out included, with device='cpu'"):
        batch_dot(d, d, 1, device="cpu")
    h = np.ones((2, 3))
    with pytest.raises(ValueError, match="out included, with device='cpu'"):
        batch_dot(h, h, 1, device="cpu", out=cuda.device_array((2, 1)))


def test_out_errors():
    d = device(np.ones((2, 3, 4)))
    with pytest.raises(TypeError, match="out to be a CUDA device array"):
        batch_dot(d, d, (2, 2), out=np.empty((2, 3, 3)))
    with pytest.raises(ValueError, match=r"out of shape \(2, 3, 3\)"):
        batch_dot(d, d, (2, 2), out=cuda.device_array((2, 3, 4)))
    with pytest.raises(TypeError, match="out of dtype float64"):
        batch_dot(d, d, (2, 2), out=cuda.device_array((2, 3, 3), np.float32))
    h = np.ones((2, 3, 4))
    with pytest.raises(TypeError, match="numpy.ndarray or a CUDA device array"):
        batch_dot(h, h, (2, 2), out=[[0.0]], device="cuda")
    ro = np.empty((2, 3, 3))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writeable out"):
        batch_dot(h, h, (2, 2), out=ro, device="cuda")


@pytest.mark.parametrize(
    "xs, ys, axes, exc, match",
    [
        ((3,), (3, 4), None, ValueError, "rank >= 2"),
        ((2, 3), (4, 3), None, ValueError, "equal batch sizes"),
        ((2, 3), (2, 3), (0, 1), ValueError, "batch axis 0"),
        ((2, 3), (2, 3), (1, 5), AxisError, "lie in"),
        ((2, 3), (2, 4), None, ValueError, "contracted dimensions of equal size"),
        ((2, 3), (2, 3), (1, 1, 1), ValueError, "one axis per operand"),
        ((2, 3), (2, 3), "1", TypeError, "axes to be None"),
    ],
)
def test_error_table_on_device(xs, ys, axes, exc, match):
    x, y = device(np.ones(xs)), device(np.ones(ys))
    with pytest.raises(exc, match=match):
        batch_dot(x, y, axes)
    with pytest.raises(exc, match=match):
        batch_dot(np.ones(xs), np.ones(ys), axes, device="cuda")


def test_dtype_errors():
    d = device(np.ones((2, 3)))
    with pytest.raises(TypeError, match="same_kind"):
        batch_dot(d, d, 1, dtype=np.int32)
    with pytest.raises(TypeError, match="numeric inputs"):
        batch_dot(np.array([["a"]]), np.array([["b"]]), 1, device="cuda")


# --------------------------------------------------------------------------- error table


class _OtherCudaArray:
    """A CUDA array that is not Numba's (as a CuPy array): refused by the simulator."""

    shape, dtype = (2, 3), np.dtype(np.float64)
    __cuda_array_interface__ = {"shape": (2, 3), "typestr": "<f8", "data": (0, False), "version": 3}


def _readonly(shape):
    a = np.empty(shape)
    a.flags.writeable = False
    return a


def _d(shape, dtype=np.float64):
    return lambda: device(np.zeros(shape, dtype))


def _h(shape, dtype=np.float64):
    return lambda: np.zeros(shape, dtype)


def _dask(shape):
    import dask.array as da

    return lambda: da.zeros(shape, chunks=1)


# name: x, y (callables), axes, keywords (values, or callables for out), exception, message,
# and whether batchdot.batch_dot is checked too (False: rows that batchdot/_api.py checks
# before routing, and direct calls of the CUDA entry only)
CUDA_ERRORS = {
    "rank 0": (_d(()), _d((2, 3)), None, {}, ValueError, r"rank >= 2", True),
    "rank 1": (_d((2,)), _d((2, 3)), None, {}, ValueError, r"rank >= 2", True),
    "batch sizes differ": (_d((2, 3)), _d((3, 3)), 1, {}, ValueError, r"equal batch sizes", True),
    "contracted sizes differ": (_d((2, 3)), _d((2, 4)), 1, {}, ValueError, r"contracted dimensions of equal size",
                                True),
    "contracting the batch axis": (_d((2, 3)), _d((2, 3)), (0, 1), {}, ValueError, r"batch axis 0", True),
    "axis out of range": (_d((2, 3)), _d((2, 3)), (1, -3), {}, AxisError, r"each axis to lie in", True),
    "axes a str": (_d((2, 3)), _d((2, 3)), "1", {}, TypeError, r"axes to be None", True),
    "axes a float": (_d((2, 3)), _d((2, 3)), 1.0, {}, TypeError, r"axes to be None", True),
    "axes a bool": (_d((2, 3)), _d((2, 3)), True, {}, TypeError, r"integer axes", True),
    "three axes": (_d((2, 3)), _d((2, 3)), (1, 1, 1), {}, ValueError, r"one axis per operand", True),
    "2-D axes array": (_d((2, 3)), _d((2, 3)), np.array([[1, 1]]), {}, ValueError, r"axes array to be 1-D", True),
    "dtype= not a dtype": (_d((2, 3)), _d((2, 3)), 1, {"dtype": "foo"}, TypeError, r"NumPy dtype, got 'foo'", True),
    "dtype= unreachable": (_d((2, 3)), _d((2, 3)), 1, {"dtype": np.int32}, TypeError, r"same_kind", True),
    "dtype= longdouble": (_d((2, 3)), _d((2, 3)), 1, {"dtype": np.longdouble}, TypeError, r"numeric dtypes", True),
    "datetime device array": (_d((2, 3), "M8[D]"), _d((2, 3)), 1, {}, TypeError, r"numeric dtypes", True),
    "structured device array": (_d((2, 3), "f8,f8"), _d((2, 3)), 1, {}, TypeError, r"numeric dtypes", True),
    "longdouble device array": (_d((2, 3)), _d((2, 3), np.longdouble), 1, {}, TypeError, r"numeric dtypes", True),
    "big-endian device array": (_d((2, 3), ">f8"), _d((2, 3)), 1, {}, TypeError, r"native byte order", True),
    "str host arrays, device='cuda'": (_h((2, 3), "U1"), _h((2, 3)), 1, {"device": "cuda"}, TypeError,
                                       r"numeric inputs", True),
    "host beside device": (_h((2, 3)), _d((2, 3)), 1, {}, ValueError, r"both on the host or both CUDA", True),
    "device beside host": (_d((2, 3)), _h((2, 3)), 1, {"device": "cuda"}, ValueError,
                           r"both on the host or both CUDA", True),
    "device beside a list": (_d((2, 3)), lambda: [[0.0] * 3] * 2, 1, {}, ValueError,
                             r"both on the host or both CUDA", True),
    "device array beside a Dask array": (_d((2, 3)), _dask((2, 3)), 1, {}, TypeError,
                                         r"beside a Dask array to be a Dask array or a host array", "routed"),
    "Dask array beside a device array": (_dask((2, 3)), _d((2, 3)), 1, {}, TypeError,
                                         r"beside a Dask array .*got y of type", "routed"),
    "another CUDA array type under the simulator": (lambda: _OtherCudaArray(), lambda: _OtherCudaArray(), 1, {},
                                                    TypeError, r"Numba device arrays under the CUDA simulator", True),
    "device='cpu' with device arrays": (_d((2, 3)), _d((2, 3)), 1, {"device": "cpu"}, ValueError,
                                        r"host arrays, out included, with device='cpu'", True),
    "device='cpu' with a device out": (_h((2, 3)), _h((2, 3)), 1, {"device": "cpu", "out": _d((2, 1))},
                                       ValueError, r"out included, with device='cpu'", True),
    "device misspelt": (_d((2, 3)), _d((2, 3)), 1, {"device": "gpu"}, ValueError, r"device to be None", True),
    "device a list": (_d((2, 3)), _d((2, 3)), 1, {"device": ["cuda"]}, ValueError, r"device to be None", True),
    "device an array": (_d((2, 3)), _d((2, 3)), 1, {"device": np.array(["cuda", "cpu"])}, ValueError,
                        r"device to be None", True),
    "kernel= a CPU family": (_d((2, 3)), _d((2, 3)), 1, {"kernel": "dot"}, ValueError,
                             r"kernel=None on the CUDA path", True),
    "kernel= on host arrays, device='cuda'": (_h((2, 3)), _h((2, 3)), 1, {"kernel": "tile", "device": "cuda"},
                                              ValueError, r"kernel=None on the CUDA path", True),
    "host out for device inputs": (_d((2, 3)), _d((2, 3)), 1, {"out": _h((2, 1))}, TypeError,
                                   r"out to be a CUDA device array for CUDA inputs", True),
    "list out for device inputs": (_d((2, 3)), _d((2, 3)), 1, {"out": lambda: [[0.0], [0.0]]}, TypeError,
                                   r"out to be a CUDA device array", True),
    "Dask out for device inputs": (_d((2, 3)), _d((2, 3)), 1, {"out": _dask((2, 1))}, TypeError,
                                   r"out to be a CUDA device array", True),
    "device out of the wrong shape": (_d((2, 3)), _d((2, 3)), 1, {"out": _d((2,))}, ValueError,
                                      r"out of shape \(2, 1\), got out of shape \(2,\)", True),
    "device out of the wrong dtype": (_d((2, 3)), _d((2, 3)), 1, {"out": _d((2, 1), np.float32)}, TypeError,
                                      r"out of dtype float64, got out of dtype float32", True),
    "big-endian device out": (_d((2, 3)), _d((2, 3)), 1, {"out": _d((2, 1), ">f8")}, TypeError,
                              r"out of dtype float64", True),
    "device out of the wrong shape, host inputs": (_h((2, 3)), _h((2, 3)), 1, {"out": _d((2, 2))}, ValueError,
                                                   r"out of shape", True),
    "host out of the wrong shape": (_h((2, 3)), _h((2, 3)), 1, {"out": _h((2, 2)), "device": "cuda"},
                                    ValueError, r"out of shape", True),
    "read-only host out": (_h((2, 3)), _h((2, 3)), 1, {"out": lambda: _readonly((2, 1)), "device": "cuda"},
                           ValueError, r"writeable out", True),
    "list out, device='cuda'": (_h((2, 3)), _h((2, 3)), 1, {"out": lambda: [[0.0]], "device": "cuda"},
                                TypeError, r"out to be a numpy.ndarray or a CUDA device array", True),
}


@pytest.mark.parametrize("name", list(CUDA_ERRORS))
def test_cuda_error_table(name):
    """Every bad input on the CUDA path gives "batch_dot requires ..., got ..."; no NumPy,
    Dask or Numba error escapes."""
    make_x, make_y, axes, kw, exc, match, routed = CUDA_ERRORS[name]
    x, y = make_x(), make_y()
    kw = {k: v() if k == "out" and callable(v) else v for k, v in kw.items()}
    match = r"^batch_dot requires .*" + match
    if routed:
        with pytest.raises(exc, match=match):
            batch_dot(x, y, axes, **kw)
    if routed != "routed":
        with pytest.raises(exc, match=match):
            _cuda.batch_dot_cuda(x, y, axes, **kw)
