"""``python -m batchdot bench`` bookkeeping, on shrunken workloads (its timings are not tested)."""

import io
import math

import numpy as np
import pytest

from batchdot.bench import cpu as _bench


@pytest.fixture(autouse=True)
def short_warm_up(monkeypatch):
    """Untimed calls before each timed one: still made, but briefly (timings are not tested)."""
    monkeypatch.setattr(_bench, "WARM", 0.001)


def test_bench_table_on_small_workloads(monkeypatch):
    small = {
        "rowdot": ((300, 64), (300, 64), 1),
        "small8": ((50, 8, 8), (50, 8, 8), None),
        "squash": ((4, 3, 4, 5), (4, 3, 5, 8), None),
        "tiny": ((4, 3), (4, 3), 1),
    }
    monkeypatch.setattr(_bench, "WORKLOADS", {k: small[k] + _bench.WORKLOADS[k][3:] for k in small})
    monkeypatch.setattr(_bench, "_per_call", lambda fn, number: _bench._median_interleaved([fn], 3, 0.1)[0])
    ceil = {"dram_gbs": 30.0, "l3_gbs": 150.0, "fma_float32": 200.0, "fma_float64": 100.0}
    out = io.StringIO()
    rows = _bench.run_workloads(["float32", "float64"], True, ceil, out)
    text = out.getvalue()
    assert "% floor" in text and "floor ratio" in text and "without tiny" in text
    assert [(r["workload"], r["dtype"]) for r in rows] == [(w, d) for d in ("float32", "float64") for w in small]
    for r in rows:
        assert r["t"] > 0 and r["t_peer"] > 0 and math.isclose(r["ratio"], r["t_peer"] / r["t"])
        assert r["relerr"] < 1e-5
        assert r["kernel"] in ("rowdot", "dot", "generic") or r["kernel"] == "tile"
        if r["workload"] == "tiny":
            assert math.isnan(r["floor"])
        else:
            assert r["floor"] > 0 and math.isclose(r["floor_ratio"], r["t_peer"] / r["floor"])


def test_stream_floor_reads_both_inputs_and_allocates_the_output():
    x, y = np.ones((10, 7), np.float32), np.full((10, 7), 2.0, np.float32)
    fn = _bench._stream_floor(x, y, 13)
    fn()  # compiles; the kernel's reduction must see every element of both inputs
    stream = _bench._stream_kernel()
    out = np.empty(13, np.float32)
    stream(x.reshape(-1), y.reshape(-1), out)
    np.testing.assert_array_equal(out, np.full(13, 70 + 140, np.float32))


def test_fma_peak_kernel_runs_every_chain():
    n = 2 * 16
    kernel = _bench._fma_kernel(n)
    start = np.linspace(0.5, 1.0, 2 * n).reshape(2, n)
    out = start.copy()
    kernel(out, 0.5, 1.0, 3)  # c -> c/2 + 1, three times, on every chain of every thread
    expect = start
    for _ in range(3):
        expect = expect * 0.5 + 1.0
    np.testing.assert_allclose(out, expect, rtol=1e-15)
    peak = _bench.fma_peak(np.float32, reps=2000)
    assert math.isfinite(peak) and peak > 0


def test_blas_crossover_on_small_shapes():
    out = io.StringIO()
    rows = _bench.blas_crossover(["float32", "float64"], True, out, shapes=((2, 16, 8, 24), (1, 8, 4, 8)))
    assert [(r["dtype"], r["shape"]) for r in rows] == [
        (d, s) for d in ("float32", "float64") for s in ((2, 16, 8, 24), (1, 8, 4, 8))]
    for r in rows:
        assert r["t_matmul"] > 0 and r["t_tile"] > 0 and r["auto"] == "tile"
    assert out.getvalue().count("MiB") == 4


@pytest.mark.parametrize("scene", ["busy", "pipeline"])
def test_bench_scenes_on_small_workloads(monkeypatch, scene):
    """``--busy`` (a real spinning process) and ``--pipeline`` (each call after np.matmul)."""
    small = {"small8": ((50, 8, 8), (50, 8, 8), None), "tiny": ((4, 3), (4, 3), 1)}
    monkeypatch.setattr(_bench, "WORKLOADS", {k: small[k] + _bench.WORKLOADS[k][3:] for k in small})
    monkeypatch.setattr(_bench, "_per_call", lambda fn, number: _bench._median_interleaved([fn], 3, 0.1)[0])
    ceil = {"dram_gbs": 30.0, "l3_gbs": 150.0, "fma_float32": 200.0, "fma_float64": 100.0}
    calls = []
    if scene == "pipeline":
        real = np.matmul
        monkeypatch.setattr(_bench.np, "matmul", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    out = io.StringIO()
    if scene == "busy":
        with _bench.busy_core() as pid:
            import os

            os.kill(pid, 0)  # the spinner is a live process
            rows = _bench.run_workloads(["float32"], True, ceil, out, scene)
    else:
        rows = _bench.run_workloads(["float32"], True, ceil, out, scene)
        assert calls  # the matmul ran before the calls
    assert [r["workload"] for r in rows] == list(small)
    for r in rows:
        assert r["t"] > 0 and r["t_peer"] > 0 and math.isnan(r["floor"]) and r["relerr"] < 1e-5
    assert "% floor" in out.getvalue() and "without tiny" not in out.getvalue()


def test_first_call_costs_on_a_small_workload():
    """``--first-call``: a real fresh process with an empty cache; the columns are filled."""
    out = io.StringIO()
    small = {"small8": ((50, 8, 8), (50, 8, 8), None, {})}
    rows = _bench.first_call(["float64"], out, workloads=small)
    assert [(r["workload"], r["dtype"]) for r in rows] == [("small8", "float64")]
    r = rows[0]
    assert r["first"] > 0 and r["second"] >= 0 and r["layout"] >= 0 and r["rss"] > 0
    assert "new layout" in out.getvalue()


def test_bench_rejects_unsupported_dtypes_before_measuring():
    import subprocess
    import sys

    for bad in ("float16", "int64", "f32"):
        done = subprocess.run([sys.executable, "-m", "batchdot", "bench", "--dtype", bad], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2 and "invalid choice" in done.stderr and "ceilings" not in done.stdout
