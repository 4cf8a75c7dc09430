"""The asv benchmark suite (asv_bench/) runs: every benchmark once, at its smallest parameters.

A benchmark that raises, or whose NumPy baseline computes something else than batch_dot,
fails here instead of rotting until someone runs asv.  Also: nothing compiles during a timed
call, the memory floor never calls batch_dot, ``--python=same`` and ``-E existing`` select one
environment, and the published dashboard loads nothing from the network.
"""

import html.parser
import importlib
import importlib.util
import inspect
import itertools
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import textwrap
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
    assert {"common", "workloads", "memory", "sweeps", "planning", "gpu"} <= names
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


def test_no_rate_is_tracked():
    """asv ranks every value as lower-is-better: a tracked rate (GB/s, GFLOP/s) would flag
    each speed-up as a regression, so throughput is left to the times."""
    rate = re.compile(r"/\s*s\b|per.?s(ec(ond)?)?\b|flops|gbps|bandwidth|throughput", re.IGNORECASE)
    rates = [
        f"{cls.__name__}.{name} (unit {getattr(getattr(cls, name), 'unit', None)!r})"
        for cls in CLASSES for name in _methods(cls)
        if name.startswith("track_") and rate.search(f"{name} {getattr(getattr(cls, name), 'unit', '')}")
    ]
    assert not rates, f"higher-is-better values that asv would read the wrong way round: {rates}"


def _python(code, timeout=120):
    """Run ``code`` in a fresh interpreter that imports the suite as asv does; its stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ASV_DIR)!r})\n" + textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


CPU_CLASSES = [c for c in CLASSES if not c.__module__.endswith(".gpu")]


@pytest.mark.parametrize("cls", CPU_CLASSES, ids=lambda c: f"{c.__module__.split('.')[-1]}.{c.__name__}")
def test_benchmark_is_warm_after_setup(cls):
    """In a fresh process, as asv runs it: after ``setup`` no benchmark method compiles or loads
    a Numba kernel (Numba takes its compiler lock for both; the parallel driver of a kernel is
    built on its second call, so one warm-up call is not enough), on an idle machine and then
    with a core kept busy by another process (where large products leave BLAS for the tiles)."""
    out = _python(f"""
        import contextlib, importlib, json, sys, time
        from batchdot.bench.cpu import busy_core
        cls = getattr(importlib.import_module({cls.__module__!r}), {cls.__name__!r})
        params = tuple(cls.test_params)
        bench = cls()
        if hasattr(bench, "max_elements"):
            bench.max_elements = 1 << 16  # above the serial cut-off: the parallel path runs
        bench.setup(*params)
        jit = "numba" in sys.modules  # else nothing can compile unless a method imports Numba
        locks = {{}}

        def samples(scene):
            for name in {_methods(cls)!r}:
                bench.setup(*params)  # asv re-runs setup before every sample
                if jit:
                    from numba.core import event
                    with event.install_recorder("numba:compiler_lock") as rec:
                        getattr(bench, name)(*params)
                    locks[scene + " " + name] = len(rec.buffer)
                else:
                    getattr(bench, name)(*params)
                    locks[scene + " " + name] = int("numba" in sys.modules)

        samples("idle")
        if jit:
            from batchdot.cpu import policy
            with busy_core():
                t_end = time.monotonic() + 10
                while not policy.others_busy() and time.monotonic() < t_end:
                    time.sleep(0.05)
                assert policy.others_busy(), "the policy never saw the busy core"
                samples("busy")
        print(json.dumps(locks))
    """)
    locks = json.loads(out.strip().splitlines()[-1])
    scenes = ("idle", "busy") if any(k.startswith("busy") for k in locks) else ("idle",)
    assert set(locks) == {f"{s} {m}" for s in scenes for m in _methods(cls)}
    assert not any(locks.values()), f"compiled during the benchmark, not in setup: {locks}"


def test_memory_floor_never_calls_batch_dot():
    """``peakmem_floor``'s process holds the inputs and a written result, and never runs
    batch_dot (whose first CPU call imports Numba); ``peakmem_batch_dot``'s peaks above it."""
    # The peak is this process's own high-water mark (VmHWM): ru_maxrss, which asv reads,
    # starts a child at the size of the process that spawned it (here pytest's, hundreds of MB).
    code = """
        import json, sys
        from benchmarks import memory
        bench = memory.{cls}()
        bench.max_elements = 1 << 22
        bench.setup("rowdot", "float64")
        getattr(bench, "{method}")("rowdot", "float64")
        data = bench.x.nbytes + bench.y.nbytes
        try:
            with open("/proc/self/status") as f:
                peak = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:")][0]
        except (OSError, IndexError):
            peak = None
        print(json.dumps(dict(numba="numba" in sys.modules, data=data, peak=peak)))
    """
    floor = json.loads(_python(code.format(cls="PeakMemoryFloor", method="peakmem_floor")).splitlines()[-1])
    used = json.loads(_python(code.format(cls="PeakMemory", method="peakmem_batch_dot")).splitlines()[-1])
    assert not floor["numba"] and used["numba"]
    assert floor["data"] == used["data"] == 2 * (1 << 22) * 8
    if floor["peak"] is None:
        pytest.skip("no /proc/self/status here: the peaks are not compared")
    assert floor["peak"] > floor["data"]
    assert used["peak"] > floor["peak"] + (1 << 20)


@pytest.mark.parametrize("argv", [["--python=same"], ["-E", "existing"]])
def test_existing_environment_runs_the_suite_once(argv):
    """asv 0.6 expands ``--python=same`` over the requirement matrix (three copies of one
    environment, each running the whole suite); the config's exclude rules keep one."""
    pytest.importorskip("asv", reason="asv is not installed: pip install -e '.[bench]'")
    from asv import environment
    from asv.commands import make_argparser
    from asv.config import Config

    parser, _ = make_argparser()
    args = parser.parse_args(["run", *argv, "--config", str(ASV_DIR / "asv.conf.json")])
    conf = Config.load(args.config)
    envs = list(environment.get_environments(conf, args.env_spec))
    assert [type(e).__name__ for e in envs] == ["ExistingEnvironment"]
    # the built environments keep the whole matrix
    assert len(list(environment.get_environments(conf, ["virtualenv"], verbose=False))) == 3


def test_gpu_benchmarks_are_collected_only_where_cuda_can_be():
    """Where no CUDA device can be, asv does not collect the GPU benchmarks (skipping them in
    setup cost 48 processes importing numba.cuda per full run); with Numba's simulator it does;
    nothing else is ever left uncollected."""
    gpu = importlib.import_module("benchmarks.gpu")
    marked = {f"{c.__name__}.{n}" for c in CLASSES for n in _methods(c) if getattr(getattr(c, n), "skip_benchmark", False)}
    gpu_methods = {f"GpuBatchDot.{n}" for n in _methods(gpu.GpuBatchDot)}
    assert marked == (set() if gpu.CUDA_POSSIBLE else gpu_methods)
    if importlib.util.find_spec("batchdot._cuda") is not None:
        out = subprocess.run(
            [sys.executable, "-c", "import benchmarks.gpu as g; print(g.CUDA_POSSIBLE)"], cwd=ASV_DIR,
            env=dict(os.environ, NUMBA_ENABLE_CUDASIM="1"), capture_output=True, text=True, timeout=60,
        )
        assert out.stdout.strip() == "True", out.stdout + out.stderr


class _Loads(html.parser.HTMLParser):
    """What a page makes the browser load: ``<script src>`` and ``<link href>``."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = attrs.get("src") if tag == "script" else attrs.get("href") if tag == "link" else None
        if url:
            self.urls.append(url)


def _loads(page):
    parser = _Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def test_published_dashboard_loads_nothing_from_the_network(tmp_path):
    """A tiny project is run and published with ``asv_bench/publish.py``: no page of the
    published folder loads a script or stylesheet from another host, and every one it loads
    is there."""
    pytest.importorskip("asv", reason="asv is not installed: pip install -e '.[bench]'")
    asv = shutil.which("asv", path=str(Path(sys.executable).parent)) or shutil.which("asv")
    assert asv, "the asv command is not on PATH"
    proj = tmp_path / "proj"
    (proj / "benchmarks").mkdir(parents=True)
    (proj / "benchmarks" / "__init__.py").write_text("")
    (proj / "benchmarks" / "bench.py").write_text("def time_sum():\n    sum(range(100))\n")
    (proj / "asv.conf.json").write_text(json.dumps(dict(
        version=1, project="tiny", repo=".", branches=["main"], environment_type="existing",
        benchmark_dir="benchmarks", results_dir="results", html_dir="html")))
    env = dict(os.environ, HOME=str(tmp_path), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")

    def run(*cmd):
        proc = subprocess.run(cmd, cwd=proj, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{cmd}: {proc.stdout}{proc.stderr}"
        return proc.stdout

    run("git", "init", "-q", "-b", "main")
    run("git", "add", ".")
    run("git", "commit", "-q", "-m", "tiny")
    sha = run("git", "rev-parse", "HEAD").strip()
    run(asv, "machine", "--yes", "--machine", "box")
    run(asv, "run", "-E", "existing", "--quick", "--machine", "box", "--set-commit-hash", sha)
    run(sys.executable, str(ASV_DIR / "publish.py"), "--config", str(proj / "asv.conf.json"))

    html_dir = proj / "html"
    pages = sorted(html_dir.rglob("*.html"))
    assert html_dir / "index.html" in pages
    loads = {page: _loads(page) for page in pages}
    assert len(loads[html_dir / "index.html"]) >= 15  # asv's own scripts and styles, and the libraries
    outside = [(p.name, u) for p, urls in loads.items() for u in urls if re.match(r"\s*(https?:)?//", u, re.I)]
    assert not outside, f"the dashboard loads from the network: {outside}"
    missing = [(p.name, u) for p, urls in loads.items() for u in urls
               if u.endswith((".js", ".css")) and not (p.parent / u).is_file()]
    assert not missing, f"referenced but not published: {missing}"
    assert any("jquery" in u and "vendor/" in u for u in loads[html_dir / "index.html"])


def test_publish_refuses_an_unknown_external_library(tmp_path):
    """A page that loads something publish.py has no copy of (say a newer asv's new CDN
    library) fails the publish instead of staying online-only."""
    sys.path.insert(0, str(ASV_DIR))
    try:
        publish = importlib.import_module("publish")
    finally:
        sys.path.remove(str(ASV_DIR))
    (tmp_path / "index.html").write_text(
        '<script src="https://code.jquery.com/jquery-3.3.1.min.js" crossorigin="anonymous"></script>\n'
        '<script src="https://cdn.example.org/new-lib.js"></script>\n')
    with pytest.raises(SystemExit, match="new-lib.js"):
        publish.localize(tmp_path)
