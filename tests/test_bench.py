"""``python -m batchdot bench`` bookkeeping, on shrunken workloads (its timings are not tested)."""

import argparse
import io
import math
import subprocess
import sys
import time

import numpy as np
import pytest

from batchdot import batch_dot
from batchdot.bench import cpu as _bench
from batchdot.bench.spec import DtypeSpec, dtype_spec
from batchdot.cpu.vector import lanes

#: Made-up ceilings for the bookkeeping tests: (level, working set, GB/s) and GFLOP/s.
CEIL = {"memory": [("L1", 1 << 15, 200.0), ("L2", 1 << 20, 150.0), ("L3", 1 << 24, 80.0), ("DRAM", 1 << 26, 30.0)],
        "fma_float32": 200.0, "fma_float64": 100.0, "gemm_float32": 150.0, "gemm_float64": 75.0}


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
    out = io.StringIO()
    rows = _bench.run_workloads(["float32", "float64"], True, CEIL, out)
    text = out.getvalue()
    assert "% floor" in text and "floor ratio" in text and "without tiny" in text
    assert [(r["workload"], r["dtype"]) for r in rows] == [(w, d) for d in ("float32", "float64") for w in small]
    for r in rows:
        assert r["t"] > 0 and r["t_peer"] > 0 and math.isclose(r["ratio"], r["t_peer"] / r["t"])
        assert r["relerr"] < 1e-5
        assert r["kernel"] in ("rowdot", "dot", "generic") or r["kernel"] == "tile"
        assert r["roofline"] > 0 and r["level"] in ("L1", "L2", "L3", "DRAM")
        if r["workload"] == "tiny":
            assert math.isnan(r["floor"])
        else:
            assert r["floor"] > 0 and math.isclose(r["floor_ratio"], r["t_peer"] / r["floor"])


@pytest.mark.parametrize("spec", ["int8", "float32,float64", "int8:int32", "float16", "complex64", "bool",
                                  "uint8,int16"])
def test_bench_table_for_every_kind_of_dtype_spec(monkeypatch, spec):
    """Integer, mixed, dtype= target, float16, complex and bool rows: results checked, ceilings where meaningful."""
    small = {"small8": ((40, 8, 8), (40, 8, 8), None), "vecmat": ((30, 16), (30, 4, 16), (1, 2))}
    monkeypatch.setattr(_bench, "WORKLOADS", {k: small[k] + _bench.WORKLOADS[k][3:] for k in small})
    monkeypatch.setattr(_bench, "_per_call", lambda fn, number: _bench._median_interleaved([fn], 3, 0.1)[0])
    out = io.StringIO()
    rows = _bench.run_workloads([dtype_spec(spec)], True, CEIL, out)
    assert [(r["workload"], r["dtype"]) for r in rows] == [(w, spec) for w in small]
    for r in rows:
        assert r["t"] > 0 and r["t_peer"] > 0 and r["floor"] > 0
        assert r["relerr"] < (1e-2 if "float16" in spec else 1e-5)  # integer and bool: 0 (exact) or inf
        has_compute = spec in ("float32,float64", "float16", "complex64")
        assert math.isnan(r["roofline"]) != has_compute
    if not spec.startswith("float"):
        assert "no measured compute" in out.getvalue()


def test_numpy_spellings_get_the_result_dtype():
    """The peers compute what batch_dot does: result dtype, wrap-around, dtype= target."""
    x = np.full((3, 4), 100, np.int8)
    for spec, expect in [("int8", np.int8), ("int8:int32", np.int32), ("float32,float64", np.float64),
                         ("bool", np.bool_)]:
        s = dtype_spec(spec)
        xs, ys = x.astype(s.x), x.astype(s.y)
        for name, call in _bench._peer_calls(_bench.WORKLOADS["tiny"][3], xs, ys, s).items():
            got = call()
            assert got.dtype == expect, (spec, name)
            ref = batch_dot(xs, ys, 1, **s.kwargs)
            np.testing.assert_array_equal(got.reshape(ref.shape), ref, err_msg=f"{spec} {name}")
    f16 = dtype_spec("float16")
    calls = _bench._peer_calls(_bench.WORKLOADS["tiny"][3], x.astype(np.float16), x.astype(np.float16), f16)
    assert set(calls) == {"(x*y).sum", "einsum", "(x*y).sum(f32)", "einsum(f32)"}
    assert all(c().dtype == np.float16 for c in calls.values())


def test_stream_floor_reads_both_inputs_and_allocates_the_output():
    x, y = np.ones((10, 7), np.float32), np.full((10, 7), 2.0, np.float32)
    fn = _bench._stream_floor(x, y, 13, np.int16)
    fn()  # compiles
    stream = _bench._stream_kernel()
    out = np.ones(26, np.uint8)
    s = stream(_bench._words(x), _bench._words(y), out)
    # every byte of both inputs is read (as float64 words), and the output bytes are written
    assert s == _bench._words(x).sum() + _bench._words(y).sum() and _bench._words(x).nbytes == x.nbytes
    np.testing.assert_array_equal(out, 0)


def test_memory_roof_is_the_largest_measured_working_set_not_above():
    roofs = CEIL["memory"]
    assert _bench.memory_roof(roofs, 100) == ("L1", 200.0)  # below every level: the smallest
    assert _bench.memory_roof(roofs, 1 << 15) == ("L1", 200.0)
    assert _bench.memory_roof(roofs, (1 << 24) - 1) == ("L2", 150.0)
    assert _bench.memory_roof(roofs, 1 << 30) == ("DRAM", 30.0)


def test_memory_roofs_per_cache_level_never_rise_with_the_working_set(monkeypatch):
    monkeypatch.setattr(_bench, "cache_sizes", lambda: {1: (32 << 10, 1), 2: (1 << 20, 1), 3: (32 << 20, 64)})
    fake = {16 << 10: 100.0, 512 << 10: 120.0, 16 << 20: 50.0, 64 << 20: 20.0}  # noise: L2 above L1
    monkeypatch.setattr(_bench, "read_bandwidth", lambda nbytes, quick: fake[nbytes])
    monkeypatch.setattr("numba.get_num_threads", lambda: 1)
    roofs = _bench.memory_roofs(True)
    assert roofs == [("L1", 16 << 10, 120.0), ("L2", 512 << 10, 120.0), ("L3", 16 << 20, 50.0),
                     ("DRAM", 64 << 20, 20.0)]


def test_read_bandwidth_measures():
    gbs = _bench.read_bandwidth(1 << 16, quick=True)
    assert math.isfinite(gbs) and gbs > 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("parallel", [True, False])
def test_fma_peak_kernel_runs_every_chain(dtype, parallel):
    n = _bench.FMA_CHAINS * lanes(dtype)
    kernel = _bench._fma_kernel(parallel)
    start = np.linspace(0.5, 1.0, 3 * n).reshape(3, n).astype(dtype)
    out = start.copy()
    kernel(out, dtype(0.5), dtype(1.0), 3)  # c -> c/2 + 1, three times, on every chain of every row
    expect = start
    for _ in range(3):
        expect = expect * dtype(0.5) + dtype(1.0)
    np.testing.assert_array_equal(out, expect)  # c/2 is exact: fused or not, one rounding
    kernel(out, dtype(0.5), dtype(1.0), 0)
    np.testing.assert_array_equal(out, expect)
    peak = _bench.fma_peak(dtype, reps=2000)
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
    ceil = CEIL
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
    assert r["layout_setup"] <= r["layout"]  # the two calls' cost beyond two more of the same
    assert 0 < r["rss_growth"] < r["rss"]  # importing and compiling add memory beyond the data and imports
    assert "new layout" in out.getvalue() and "beyond run" in out.getvalue() and "growth" in out.getvalue()


@pytest.mark.parametrize("text, spec", [
    ("int8", DtypeSpec(np.dtype("int8"), np.dtype("int8"))),
    ("f4", DtypeSpec(np.dtype("float32"), np.dtype("float32"))),
    ("q", DtypeSpec(np.dtype("int64"), np.dtype("int64"))),
    ("float32,float64", DtypeSpec(np.dtype("float32"), np.dtype("float64"))),
    ("int8:int32", DtypeSpec(np.dtype("int8"), np.dtype("int8"), np.dtype("int32"))),
    ("uint8, int8 : float32", DtypeSpec(np.dtype("uint8"), np.dtype("int8"), np.dtype("float32"))),
    ("float64:float32", DtypeSpec(np.dtype("float64"), np.dtype("float64"), np.dtype("float32"))),
])
def test_dtype_specs(text, spec):
    got = dtype_spec(text)
    assert got == spec and dtype_spec(str(got)) == got  # str() is a spec again (the re-exec passes it on)


@pytest.mark.parametrize("bad", ["f32", "float128", "U5", ">f4", "int8->int32", "float32:int32", "complex64:float64",
                                 "int8,int16,int32", "int8:", ",int8", "", "int8:int16:int32"])
def test_bad_dtype_specs_raise_argparse_errors(bad):
    with pytest.raises(argparse.ArgumentTypeError):
        dtype_spec(bad)


def test_bench_rejects_bad_dtype_specs_before_measuring():
    """Exit 2 with a usage message, and nothing printed on stdout (nothing measured)."""
    cases = [["--dtype", "f32"], ["--dtype", "float128"], ["--dtype", "int8->int32"], ["--dtype", "float32:int32"],
             ["--dtype", "int8,int16,int32"], ["--blas", "--dtype", "int8"], ["--workload", "nope"]]
    for args in cases:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "batchdot", "bench", *args], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 2 and done.stdout == "", args
        assert done.stderr.startswith("usage: python -m batchdot bench") and "error:" in done.stderr, args
        assert time.perf_counter() - t0 < 30, args  # parsing only: no ceilings, no compiling


def test_bench_help_gives_durations_and_syntax():
    done = subprocess.run([sys.executable, "-m", "batchdot", "bench", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0
    for text in ("X[,Y]:R", "--first-call", "--quick", "threadpoolctl", " min", "int8:int32"):
        assert text in done.stdout, text
    top = subprocess.run([sys.executable, "-m", "batchdot", "--help"], capture_output=True, text=True, timeout=60)
    assert top.returncode == 0 and "``" not in top.stdout and "bench" in top.stdout


def test_quick_bench_run_for_integer_mixed_and_target_dtypes():
    """A real ``--quick`` run, one workload: ceilings, then a table row per dtype spec."""
    specs = ["int8", "float32,float64", "int8:int32"]
    args = [sys.executable, "-m", "batchdot", "bench", "--quick", "--workload", "small8"]
    for s in specs:
        args += ["--dtype", s]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("ceilings: read bandwidth") for line in lines)
    rows = [line.split() for line in lines if line.startswith("small8 ")]
    assert [r[1] for r in rows] == specs
    for r in rows:
        assert r[-1] in ("0.0e+00",) or float(r[-1]) < 1e-5  # rel.err: integers exact
    roofline = [r[11] for r in rows]  # times print as two words ("8.52 ms")
    assert roofline[0] == roofline[2] == "-" and roofline[1].endswith("%")  # floats only
