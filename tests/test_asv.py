"""The asv benchmark suite (asv_bench/) runs: every benchmark once, at its smallest parameters.

A benchmark that raises, or whose NumPy baseline computes something else than batch_dot,
fails here instead of rotting until someone runs asv.
"""

import importlib
import importlib.util
import inspect
import itertools
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from batchdot.testing import assert_batch_dot_close

ASV_DIR = Path(__file__).resolve().parents[1] / "asv_bench"
PREFIXES = ("time_", "timeraw_", "peakmem_", "mem_", "track_")

sys.path.insert(0, str(ASV_DIR))
benchmarks = importlib.import_module("benchmarks")
MODULES = [importlib.import_module(f"benchmarks.{m.name}") for m in pkgutil.iter_modules(benchmarks.__path__)]


def _is_benchmark_class(module, obj):
    """What asv collects: public classes of the module with a benchmark method."""
    return (
        inspect.isclass(obj)
        and obj.__module__ == module.__name__
        and not obj.__name__.startswith("_")
        and any(name.startswith(PREFIXES) for name, _ in inspect.getmembers(obj))
    )


CLASSES = [
    obj for module in MODULES for name, obj in vars(module).items()
    if not name.startswith("_") and _is_benchmark_class(module, obj)
]


def _methods(cls):
    return sorted(name for name, _ in inspect.getmembers(cls, inspect.isfunction) if name.startswith(PREFIXES))


def _gpu_ready():
    """A CUDA back end in batchdot and a GPU (or Numba's simulator) to run it on."""
    if importlib.util.find_spec("batchdot._cuda") is None:
        return False
    from numba import cuda  # imported only when a test needs it, as the gpu module does

    return cuda.is_available()


def test_suite_is_found():
    names = {m.__name__.rsplit(".", 1)[1] for m in MODULES}
    assert {"common", "workloads", "sweeps", "planning", "gpu"} <= names
    assert len(CLASSES) >= 10


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__.split('.')[-1]}.{c.__name__}")
def test_benchmark_runs_once(cls):
    """setup + every time_/peakmem_/track_ method, once, at the class's smallest parameters."""
    params = getattr(cls, "params", None)
    combos = list(itertools.product(*params)) if params else [()]
    assert cls.test_params is not None, f"{cls.__name__} needs a test_params attribute"
    assert tuple(cls.test_params) in combos, f"{cls.__name__}.test_params is not one of its parameter combinations"
    assert len(getattr(cls, "param_names", [])) == len(params or [])
    bench = cls()
    if hasattr(bench, "max_elements"):
        bench.max_elements = 1 << 16  # same code paths, smaller batch: seconds, not minutes
    if cls.__module__.endswith(".gpu") and not _gpu_ready():
        # No GPU here: the suite must skip these cleanly, the way asv understands.
        with pytest.raises(NotImplementedError):
            bench.setup(*cls.test_params)
        return
    bench.setup(*cls.test_params)
    methods = _methods(cls)
    assert methods
    for name in methods:
        result = getattr(bench, name)(*cls.test_params)
        if name.startswith("track_"):
            assert np.isfinite(result) and result > 0, (name, result)
            assert getattr(cls, name).unit in ("GB/s", "GFLOP/s")


WORKLOADS = importlib.import_module("benchmarks.common").WORKLOADS


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_numpy_baselines_compute_batch_dot(name):
    """The NumPy spellings the dashboard compares against compute the same thing."""
    common = importlib.import_module("benchmarks.common")
    w = WORKLOADS[name]
    w = w.with_batch(min(w.x_shape[0], 4))  # a few batch elements suffice
    x, y = common.make_operands(w, "float64")
    assert_batch_dot_close(w.einsum(x, y), x, y, w.axes)
    assert_batch_dot_close(w.matmul(x, y), x, y, w.axes)


def test_asv_check():
    """``asv check``: asv itself imports the suite and validates every benchmark (no network).

    ``-E existing`` runs in this interpreter, as ``--python=same`` does, but once rather than
    once per entry of the config's requirement matrix.
    """
    pytest.importorskip("asv", reason="asv is not installed: pip install -e '.[bench]'")
    asv = shutil.which("asv", path=str(Path(sys.executable).parent)) or shutil.which("asv")
    assert asv, "the asv command is not on PATH"
    proc = subprocess.run(
        [asv, "check", "-E", "existing"], cwd=ASV_DIR, capture_output=True, text=True, timeout=120
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "No problems found" in out, out
