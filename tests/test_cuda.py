"""The CUDA back end (``batchdot/_cuda.py``), verified without a GPU.

Three layers, all inside the single ``python -m pytest``:

1. **PTX**: every kernel family, for every dtype (and the mixed-dtype triples the cases
   launch), plus the device copy kernel, is compiled by the real ``numba.cuda`` to PTX for
   sm_80 and sm_90 with ``cuda.compile_ptx`` -- the exact signature the launcher uses
   (:func:`batchdot._cuda.kernel_signature`).  Needs the ``cuda`` extra (numba-cuda with
   NVVM from PyPI), no GPU and no driver.
2. **Simulator**: ``tests/cuda/cuda_cases.py`` (every family, every dtype, layouts, edge
   shapes, ``out=``, routing and errors, against :mod:`batchdot.testing`) runs in a
   subprocess with ``NUMBA_ENABLE_CUDASIM=1``: the simulator must be chosen before
   ``numba.cuda`` is first imported, and this process needs the real one for layer 1.
3. **Real GPU or a clear error**: with a usable driver the same cases run on the GPU (a
   second subprocess); without one, ``device="cuda"`` must say that a driver is missing.
4. **Plain simulator**: ``tests/cuda/plain_simulator.py`` runs every family through
   ``batch_dot`` under ``NUMBA_ENABLE_CUDASIM=1`` as a plain script, without the warp-shuffle
   emulation of ``tests/cuda/conftest.py``, as users debug with it.

Selection, configuration checks and import hygiene are tested here directly.
"""

import atexit
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

_EXTRA = "the CUDA tests need the 'cuda' extra (numba-cuda with NVVM): pip install -e '.[test,cuda]'"
if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    pytest.fail(
        "tests/test_cuda.py needs the real numba.cuda: unset NUMBA_ENABLE_CUDASIM (the simulator "
        "cases run in a subprocess of their own)",
        pytrace=False,
    )
try:
    from numba import cuda

    _HAVE_EXTRA = getattr(cuda, "implementation", None) == "NVIDIA"
except ImportError:  # pragma: no cover - depends on the environment
    _HAVE_EXTRA = False
if not _HAVE_EXTRA:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        pytest.fail(_EXTRA, pytrace=False)  # CI installs the extra: missing it is an error
    pytest.skip(_EXTRA, allow_module_level=True)

from batchdot import batch_dot  # noqa: E402
from batchdot._cuda import (  # noqa: E402
    CONFIG,
    FAMILIES,
    LaunchConfig,
    batch_dot_cuda,
    copy_function,
    copy_signature,
    dot_lanes,
    kernel_function,
    kernel_signature,
    select_kernel,
)
from batchdot._dtypes import SUPPORTED, resolve_dtypes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASES = "tests/cuda/cuda_cases.py"
CCS = ((8, 0), (9, 0))
#: Dtypes compiled for every architecture of CCS; the others for CCS[0] only.  A target only
#: changes NVVM's back end (a fifth of a compile), while each dtype is its own typing and
#: lowering: every dtype once, every architecture on these, halves the PTX tests' CI time.
EVERY_CC = {np.dtype(t) for t in (np.float16, np.float32, np.float64, np.complex64, np.int8, np.bool_)}

# --------------------------------------------------------------------------- PTX

#: (x dtype, y dtype, dtype=) of the launches: every dtype alone, and the mixed triples of
#: tests/cuda/cuda_cases.py::test_mixed_dtypes_and_dtype_argument.
TRIPLES = [(d, d, None) for d in SUPPORTED] + [
    (np.dtype(a), np.dtype(b), c)
    for a, b, c in [
        (np.float32, np.float64, None), (np.float32, np.complex128, None),
        (np.int8, np.uint8, None), (np.bool_, np.float32, None), (np.float16, np.float32, None),
        (np.float32, np.float32, np.float64), (np.int8, np.int8, np.int64),
        (np.uint8, np.uint16, np.uint64), (np.float16, np.float16, np.float32),
    ]
]


def _ptx(fn, sig, cc):
    ptx, _ = cuda.compile_ptx(fn, sig, cc=cc)
    assert f".target sm_{cc[0]}{cc[1]}" in ptx
    assert ".visible .entry" in ptx
    return ptx


@pytest.mark.parametrize(
    "xd, yd, dt", TRIPLES, ids=[f"{a}-{b}-{c and np.dtype(c)}" for a, b, c in TRIPLES]
)
@pytest.mark.parametrize("family", FAMILIES)
def test_kernels_compile_to_ptx(family, xd, yd, dt):
    out_dtype, _ = resolve_dtypes(xd, yd, dt)
    fn = kernel_function(family, out_dtype, CONFIG)
    sig = kernel_signature(family, xd, yd, out_dtype)
    for cc in CCS if xd == yd and dt is None and xd in EVERY_CC else CCS[:1]:
        ptx = _ptx(fn, sig, cc)
        if family == "dot":
            assert "shfl.sync.down" in ptx
        else:
            assert ".shared" in ptx
        if family == "tiled":
            assert ".local" not in ptx, "the register tile spilled to local memory"


@pytest.mark.parametrize("ndim", [2, 3, 4, 5])
def test_copy_kernel_compiles_to_ptx(ndim):
    for dtype in SUPPORTED:
        for cc in CCS if dtype in EVERY_CC else CCS[:1]:
            _ptx(copy_function(ndim), copy_signature(dtype, ndim), cc)


def test_signatures_are_strided():
    sig = kernel_signature("dot", np.float32, np.float16, np.float32)
    assert [str(a) for a in sig.args] == [
        "array(float32, 3d, A)", "array(float16, 3d, A)", "array(float32, 3d, A)", "int64"
    ]
    assert len(kernel_signature("tiled", np.int8, np.int8, np.int64).args) == 3


# --------------------------------------------------------------------------- selection


@pytest.mark.parametrize(
    "shape, k_unit, expected",
    [
        ((2_000_000, 1, 1, 64), True, ("dot", 32)),  # row dots, contiguous along K
        ((1000, 1, 1, 16), True, ("dot", 16)),
        ((1000, 1, 1, 5), True, ("dot", 1)),  # short K: one thread per output
        ((1000, 1, 1, 64), False, ("dot", 1)),  # K strided: neighbouring outputs instead
        ((100, 1, 512, 512), False, ("dot", 1)),  # vector-matrix, matrix contiguous along N
        ((100, 512, 1, 512), True, ("dot", 32)),  # matrix-vector, rows contiguous along K
        ((10_000, 8, 8, 8), True, ("small", 1)),
        ((1000, 32, 32, 32), True, ("small", 1)),
        ((1000, 33, 32, 32), True, ("tiled", 1)),
        ((8, 512, 512, 512), True, ("tiled", 1)),
        ((1, 2, 3, 1000), True, ("tiled", 1)),
    ],
)
def test_select_kernel(shape, k_unit, expected):
    assert select_kernel(*shape, k_unit) == expected


def test_dot_lanes_are_powers_of_two():
    for k in range(1, 200):
        lanes = dot_lanes(k, True)
        assert lanes in (1, 2, 4, 8, 16, 32)
        assert lanes == 1 or lanes >= min(k, 32) and lanes // 2 < k
    assert dot_lanes(1000, False) == 1


def test_launch_config_is_checked():
    assert CONFIG.tiled_threads == 256
    with pytest.raises(ValueError, match="multiple of 32"):
        LaunchConfig(threads=100)
    with pytest.raises(ValueError, match="reg_m"):
        LaunchConfig(tile_m=64, reg_m=3)
    with pytest.raises(ValueError, match="small_shared_bytes"):
        LaunchConfig(small_max=64, small_shared_bytes=16384)


# --------------------------------------------------------------------------- processes


def _run(code_or_args, env_update, timeout):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env.update(env_update)
    env.setdefault("NUMBA_NUM_THREADS", "2")
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout,
    )


def _start_cases(env_update):
    """Start the case file in a pytest subprocess; output goes to a file, not a pipe."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env.update(env_update)
    env.setdefault("NUMBA_NUM_THREADS", "2")
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", CASES, "-q", "-p", "no:cacheprovider", "-x"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    atexit.register(lambda: proc.poll() is None and proc.kill())
    return proc, log


def _finish_cases(started, timeout=600):
    proc, log = started
    proc.wait(timeout=timeout)
    log.seek(0)
    tail = log.read()[-6000:]
    assert proc.returncode == 0, f"{CASES} failed (rc={proc.returncode}):\n{tail}"
    assert " passed" in tail and "skipped" not in tail and "failed" not in tail, tail
    return tail


def _pytest_cases(env_update):
    return _finish_cases(_start_cases(env_update))


# The simulator run takes over a minute of mostly one core; it starts when this module is
# collected and runs beside the rest of the suite, and the test below collects its result.
_SIMULATOR_RUN = _start_cases({"NUMBA_ENABLE_CUDASIM": "1"})


def test_cases_under_the_simulator():
    _finish_cases(_SIMULATOR_RUN)


def test_plain_simulator_runs_every_family():
    """Issue #15: under plain ``NUMBA_ENABLE_CUDASIM=1`` (no shuffle emulation from
    tests/cuda/conftest.py) row dots raised AttributeError: the simulator has no
    ``cuda.shfl_down_sync``.  Every family, through batch_dot as users call it."""
    env = {"NUMBA_ENABLE_CUDASIM": "1", "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = _run(["tests/cuda/plain_simulator.py"], env, 300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", (proc.stdout + proc.stderr)[-4000:]


def test_real_gpu_or_a_clear_error():
    if cuda.is_available():  # pragma: no cover - only with a GPU
        _pytest_cases({})
        return
    x = np.ones((2, 3))
    with pytest.raises(RuntimeError, match=r"requires a usable CUDA driver for device='cuda', got none: "):
        batch_dot(x, x, 1, device="cuda")
    with pytest.raises(RuntimeError, match="usable CUDA driver"):
        batch_dot_cuda(x, x, 1, device="cuda")


@pytest.mark.parametrize("kernel", ["dot", "tiled", "bogus", ["dot"], np.array(["dot", "tile"]), 0])
def test_kernel_is_refused_on_the_cuda_path(kernel):
    """kernel= picks a CPU family; it was silently ignored on the CUDA path (issue #15)."""
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"^batch_dot requires kernel=None on the CUDA path \(kernel= picks a "
                                         r"CPU kernel family\), got "):
        batch_dot_cuda(x, x, 1, device="cuda", kernel=kernel)


@pytest.mark.parametrize("device", ["gpu", "CUDA", 0, ["cuda"], np.array(["cuda", "cpu"]), np.array("cuda")])
def test_bad_device_on_the_cuda_path(device):
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"^batch_dot requires device to be None, 'cpu' or 'cuda', got "):
        batch_dot_cuda(x, x, 1, device=device)


class _Interface:
    """An object with a CUDA array interface that Numba refuses before touching a driver."""

    def __init__(self, **changes):
        self.cai = {"shape": (2, 3), "typestr": "<f8", "data": (0, False), "version": 3, **changes}

    @property
    def __cuda_array_interface__(self):
        if self.cai.get("raise"):  # as a PyTorch tensor that requires grad
            raise RuntimeError("Can't get __cuda_array_interface__ on Variable that requires grad")
        return self.cai


def test_cuda_array_interfaces_numba_refuses(monkeypatch):
    from batchdot import _cuda

    monkeypatch.setattr(_cuda, "_require_driver", lambda device: None)  # no GPU needed to get there
    masked, unreadable = _Interface(mask=object()), _Interface(**{"raise": True})
    with pytest.raises(TypeError, match=r"^batch_dot requires CUDA arrays without a mask, got x of type _Interface"):
        batch_dot_cuda(masked, masked, 1)
    with pytest.raises(TypeError, match=r"^batch_dot requires x's __cuda_array_interface__ to be readable, got "
                                        r"_Interface raising RuntimeError: Can't get"):
        batch_dot_cuda(unreadable, unreadable, 1)
    with pytest.raises(TypeError, match=r"^batch_dot requires CUDA arrays without a mask, got out"):
        batch_dot_cuda(np.ones((2, 3)), np.ones((2, 3)), 1, out=_Interface(mask=object(), shape=(2, 1)))


def test_importing_and_cpu_calls_never_touch_cuda():
    code = (
        "import sys, numpy as np, batchdot\n"
        "batchdot.batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1)\n"
        "batchdot.batch_dot(np.ones((2, 3)), np.ones((2, 3)), 1, device='cpu')\n"
        "batchdot.plan((2, 3), (2, 3, 4), (1, 1))\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('numba.cuda', 'numba_cuda', 'cuda.')))\n"
        "assert not bad, bad\n"
    )
    proc = _run(["-c", code], {}, 120)
    assert proc.returncode == 0, proc.stderr[-3000:]


# --------------------------------------------------------------------------- GPU benchmark


def test_gpu_bench_bookkeeping():
    from batchdot.bench import gpu as gb

    names = [w[0] for w in gb.WORKLOADS]
    assert names == ["rowdot", "vecmat", "small8", "small32", "large512"]
    for name, xs, ys, axes, spec in gb.WORKLOADS:
        x, y = np.ones((2,) + xs[1:]), np.ones((2,) + ys[1:])
        ours = batch_dot(x, y, axes)  # the peer spelling computes the same contraction
        peer = np.matmul(x, y) if spec is None else np.einsum(spec, x, y)
        np.testing.assert_array_equal(ours, peer.reshape(ours.shape))
    assert gb.workload_bytes((10, 4), (10, 4), 1, np.float64) == (40 + 40 + 10) * 8
    assert gb.workload_flops((3, 4, 5), (3, 5, 6), None) == 2 * 3 * 4 * 5 * 6
    assert gb.median_ms([3.0, 1.0, 2.0]) == 2.0 and np.isnan(gb.median_ms([]))
    row = gb.format_row("rowdot", "float32", 2.0, [4.0, float("nan")], 1.0, 2e9)
    assert "( 2.00x)" in row and "( 50%)" in row and row.endswith("1000.0")
    assert len(gb.header(["cupy", "torch"]).split("ms (ratio)")) == 3


def test_gpu_bench_without_a_gpu():
    if cuda.is_available():  # pragma: no cover - only with a GPU
        pytest.skip("a GPU is present: the benchmark would run for real")
    proc = _run(["-m", "batchdot.bench.gpu", "--repeat", "1"], {}, 120)
    assert proc.returncode == 2 and "requires a usable CUDA GPU" in proc.stderr


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.complex64, np.complex128])
@pytest.mark.parametrize("family", FAMILIES)
def test_float_products_are_never_fused(family, dtype):
    """NVVM fuses a * b + c by default; an overflowing product must stay inf so that
    inf - inf is NaN, as in NumPy's (x * y).sum() (issue #13): no fma in the PTX, for the
    parts of complex products too."""
    d = np.dtype(dtype)
    out_dtype, _ = resolve_dtypes(d, d)
    ptx = _ptx(kernel_function(family, out_dtype, CONFIG), kernel_signature(family, d, d, out_dtype), (8, 0))
    assert "fma.rn" not in ptx
    assert "mul.rn" in ptx
