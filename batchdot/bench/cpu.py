"""``python -m batchdot bench``: batchdot against the best peers, with roofline percentages.

Honest-measurement rules followed here:

- every peer and batchdot are timed in this one process, interleaved (one call of each in
  turn), medians of repeats, after warm-up (JIT compiled, caches loaded);
- NumPy's OpenBLAS is measured as a user gets it: ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE``
  (set on the development VMs, forcing AVX2 kernels) are removed by re-executing this
  command without them; the BLAS in use and its threads are printed (threadpoolctl);
- ceilings are measured on this machine at the start, best of repeats: read bandwidth of two
  streams (DRAM-sized and L3-sized arrays, all threads), the FMA peak (register-only
  multiply-adds on all threads) and BLAS GEMM GFLOP/s;
- roofline time = max(bytes moved once / bandwidth, flops / FMA peak), with the L3
  bandwidth for workloads whose inputs fit in L3 (repeats reuse the same data);
- a measured floor per workload, timed interleaved with the others: a parallel Numba
  kernel that reads both inputs once and fills a freshly allocated output of the result's
  size (the least memory work any implementation does in this process), or flops / FMA
  peak if larger.  "% floor" is floor / batchdot time; "floor ratio" is best peer time /
  floor, the ratio a kernel running at the floor would reach.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import subprocess
import sys
import time

import numpy as np

from .. import batch_dot, plan
from ..testing import reference_batch_dot

_STRIP = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

#: Independent FMA chains per thread in :func:`fma_peak`, in vector registers: enough to
#: cover the FMA latency (4 cycles) at two FMAs a cycle.
FMA_CHAINS = 8
L3_BYTES = 32 << 20


def _einsum(spec):
    return lambda x, y: np.einsum(spec, x, y, optimize=True)


#: name -> (x shape, y shape, axes, peers {name: fn})
WORKLOADS = {
    "rowdot": ((200_000, 64), (200_000, 64), 1, {
        "(x*y).sum": lambda x, y: (x * y).sum(-1, keepdims=True),
        "einsum": _einsum("bk,bk->b"),
        "matmul": lambda x, y: np.matmul(x[:, None, :], y[:, :, None])[:, 0],
    }),
    "vecmat": ((10_000, 64), (10_000, 32, 64), (1, 2), {
        "einsum": _einsum("bk,bnk->bn"),
        "matmul": lambda x, y: np.matmul(y, x[:, :, None])[:, :, 0],
    }),
    "small8": ((50_000, 8, 8), (50_000, 8, 8), None, {"matmul": np.matmul, "einsum": _einsum("bik,bkj->bij")}),
    "small32": ((4_000, 32, 32), (4_000, 32, 32), None, {"matmul": np.matmul, "einsum": _einsum("bik,bkj->bij")}),
    "large512": ((16, 512, 512), (16, 512, 512), None, {"matmul": np.matmul}),
    "squash": ((64, 12, 4, 5), (64, 12, 5, 8), None, {
        "einsum": _einsum("bijk,bmkn->bijmn"),
        "matmul": lambda x, y: np.matmul(
            x.reshape(x.shape[0], -1, x.shape[3]), np.moveaxis(y, 2, 1).reshape(y.shape[0], y.shape[2], -1)
        ).reshape(x.shape[:3] + y.shape[1:2] + y.shape[3:]),
    }),
    "midaxis": ((8192, 64, 16), (8192, 64, 16), (1, 1), {
        "matmul": lambda x, y: np.matmul(np.swapaxes(x, 1, 2), y),
        "einsum": _einsum("bki,bkj->bij"),
    }),
    "tiny": ((4, 3), (4, 3), 1, {
        "(x*y).sum": lambda x, y: (x * y).sum(-1, keepdims=True),
        "einsum": _einsum("bk,bk->b"),
    }),
}


def _tf_peer():
    try:
        import tensorflow as tf  # noqa: F401
    except ImportError:
        return None
    return lambda x, y, axes: tf.keras.backend.batch_dot(x, y, axes=axes).numpy()


#: Seconds of untimed calls before each timed one in a round of :func:`_median_interleaved`.
WARM = 0.1


def _median_interleaved(fns, repeat, budget, settle=2, warm=None):
    """Median seconds per function over interleaved rounds; ``fns`` warmed first.

    In each round every function runs untimed calls (at least ``settle``, and for at least
    ``warm`` seconds, default :data:`WARM`) and then one timed call.  The untimed calls absorb
    the hand-over between threading runtimes: after a call, OpenBLAS's worker threads keep
    spinning for up to about 70 ms (2**28 cycles, its default thread timeout) and take a core
    from whichever multi-threaded call comes next (a kernel timed right after ``np.matmul``
    came out slower, even after two untimed calls).  Calls rather than a pause, so that no
    core idles and each function's own threads are awake when it is timed.
    """
    warm = WARM if warm is None else warm
    for f in fns:
        f()
    times = [[] for _ in fns]
    t_end = time.perf_counter() + budget
    for r in range(repeat):
        for f, ts in zip(fns, times):
            t_warm = time.perf_counter() + warm
            n = 0
            while n < settle or time.perf_counter() < t_warm:
                f()
                n += 1
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        if r >= 2 and time.perf_counter() > t_end:
            break
    return [float(np.median(ts)) for ts in times]


def _per_call(fn, number):
    """Best-of-7 mean seconds per call over ``number`` calls (for microsecond calls)."""
    fn()
    best = float("inf")
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def ceilings(quick=False):
    """Measured read bandwidth (DRAM- and L3-sized, GB/s), FMA peak and BLAS GEMM GFLOP/s.

    The bandwidth kernel reads two arrays at once (the access pattern of a row dot), on all
    Numba threads; a ceiling is the best of the repeats, not the median.
    """
    from numba import njit, prange

    @njit(parallel=True, fastmath=True, cache=False)
    def _stream2(a, b):
        s = 0.0
        for i in prange(a.shape[0]):
            s += a[i] * b[i]
        return s

    out = {}
    for name, nbytes in (("dram", 1 << 30), ("l3", 8 << 20)):
        a, b = np.ones(nbytes // 16), np.ones(nbytes // 16)
        _stream2(a, b)
        best = min(_time_once(lambda: _stream2(a, b)) for _ in range(5 if name == "dram" else 200))
        out[f"{name}_gbs"] = 2 * a.nbytes / best / 1e9
        del a, b
    for dt in (np.float32, np.float64):  # before any BLAS call: its spinning threads take a core
        out[f"fma_{np.dtype(dt).name}"] = fma_peak(dt)
    for dt in (np.float32, np.float64):
        n = 2048
        a = np.ones((n, n), dt)
        a @ a
        best = min(_time_once(lambda: a @ a) for _ in range(3 if quick else 8))
        out[f"gemm_{np.dtype(dt).name}"] = 2 * n**3 / best / 1e9
    return out


@functools.cache
def _fma_kernel(n):
    """``fma_chains(out, a, b, reps)``: ``n`` independent chains ``c = c * a + b`` per thread.

    Generated so that each chain is a scalar the SLP vectoriser packs into vector registers
    (as in the register tiles); the chains start from distinct values so that none can be
    merged.  Built with ``exec``, so not cached on disk (a few seconds, once per bench).
    """
    from numba import njit, prange

    src = ["def fma_chains(out, a, b, reps):", "    for t in prange(out.shape[0]):"]
    src += [f"        c{j} = out[t, {j}]" for j in range(n)]
    src += ["        for r in range(reps):"] + [f"            c{j} = c{j} * a + b" for j in range(n)]
    src += [f"        out[t, {j}] = c{j}" for j in range(n)]
    ns = {"prange": prange}
    exec("\n".join(src), ns)
    return njit(parallel=True, fastmath={"contract"}, cache=False)(ns["fma_chains"])


def fma_peak(dtype, reps=4_000_000):
    """Measured FMA throughput (GFLOP/s) of all Numba threads: the machine's compute ceiling.

    Register-only multiply-adds, best of 5 runs of about 10 ms (with the default ``reps``);
    the roofline and the floor divide flops by it.  Measure it before NumPy's BLAS runs, or
    some time after: OpenBLAS's idle threads spin for a while and take a core.
    """
    from numba import get_num_threads

    from ..cpu.jit import compile_for

    dt = np.dtype(dtype)
    n = FMA_CHAINS * (64 // dt.itemsize)
    out = np.linspace(0.5, 1.0, get_num_threads() * n).astype(dt).reshape(-1, n)
    args = (out, dt.type(0.999), dt.type(1e-3), reps)
    from numba.core import config
    from numba.core.compiler_lock import global_compiler_lock

    with global_compiler_lock:  # the chains are scalars that LLVM's SLP vectoriser packs
        old, config.SLP_VECTORIZE = config.SLP_VECTORIZE, 1
        try:
            run = compile_for(_fma_kernel(n), args)
        finally:
            config.SLP_VECTORIZE = old
    run(*args)
    best = min(_time_once(lambda: run(*args)) for _ in range(5))
    return 2 * out.size * reps / best / 1e9


@functools.cache
def _stream_kernel():
    """``stream(x, y, out)``: read the 1-D ``x`` and ``y`` once, fill ``out`` with their sum."""
    from numba import njit, prange

    @njit(parallel=True, fastmath=True, cache=False)
    def stream(x, y, out):
        s = 0.0
        for i in prange(x.shape[0]):
            s += x[i]
        for i in prange(y.shape[0]):
            s += y[i]
        for i in prange(out.shape[0]):
            out[i] = s

    return stream


def _stream_floor(x, y, out_size):
    """A call that reads ``x`` and ``y`` once and fills a fresh output of ``out_size`` items."""
    stream, xf, yf, dt = _stream_kernel(), x.reshape(-1), y.reshape(-1), x.dtype
    return lambda: stream(xf, yf, np.empty(out_size, dt))


def _time_once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (pip install threadpoolctl)"
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}) threads={i.get('num_threads')}"
        for i in threadpool_info()
        if i.get("user_api") in ("blas", "openmp")
    )


def _bytes(p, itemsize):
    return (_prod(p.x_shape) + _prod(p.y_shape) + _prod(p.out_shape)) * itemsize


def _prod(s):
    return int(np.prod(s, dtype=np.int64))


#: Scenes of :func:`run_workloads`: what runs beside each call.
SCENES = ("idle", "busy", "pipeline")
#: ``--pipeline``: every call follows ``a @ w`` on this float32 pair, as in a model's forward pass.
PIPELINE_MATMUL = (384, 384)


@contextlib.contextmanager
def busy_core():
    """One core kept busy by another process (a Python spin loop) for the duration."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # let it start and the load settle
        yield spinner.pid
    finally:
        spinner.kill()
        spinner.wait()


def _in_scene(fn, scene, matmul):
    """``fn`` as the scene runs it: alone, or right after NumPy's BLAS (``--pipeline``)."""
    if scene != "pipeline":
        return fn

    def step():
        matmul()
        return fn()

    return step


def run_workloads(dtypes, quick, ceil, out=sys.stdout, scene="idle"):
    """The bench table: batchdot against the best NumPy spelling on every workload.

    ``scene``: ``"idle"``; ``"busy"`` (the caller keeps one core busy, see :func:`busy_core`);
    ``"pipeline"`` (every call, of batchdot and of the peers alike, follows a float32
    ``np.matmul`` of :data:`PIPELINE_MATMUL`; times are of the whole step).  Floors are
    measured in the idle scene only: a parallel floor kernel says nothing on a contended machine.
    """
    import batchdot._api as dispatch
    from batchdot.cpu import choose

    tf_peer = _tf_peer()
    rng = np.random.default_rng(0)
    a = rng.standard_normal(PIPELINE_MATMUL, dtype=np.float32)
    w = rng.standard_normal(PIPELINE_MATMUL[::-1], dtype=np.float32)
    matmul = functools.partial(np.matmul, a, w)
    rows = []
    hdr = (f"{'workload':9s} {'dtype':7s} {'kernel':10s} {'batchdot':>10s} {'best peer':>13s} {'peer':>10s} "
           f"{'ratio':>6s} {'GB/s':>6s} {'GFLOP/s':>8s} {'roofline':>8s} {'floor':>10s} {'% floor':>7s} "
           f"{'floor ratio':>11s} {'rel.err':>8s}")
    print(hdr, file=out)
    for dt in dtypes:
        dt = np.dtype(dt)
        for name, (xs, ys, axes, peers) in WORKLOADS.items():
            x = rng.standard_normal(xs).astype(dt)
            y = rng.standard_normal(ys).astype(dt)
            p = plan(xs, ys, axes)
            fns = {"batchdot": lambda: batch_dot(x, y, axes)}
            fns.update({k: (lambda f=f: f(x, y)) for k, f in peers.items()})
            if tf_peer is not None:
                fns["tf.keras"] = lambda: tf_peer(x, y, axes)
            fns = {k: _in_scene(f, scene, matmul) for k, f in fns.items()}
            if name == "tiny" and scene != "pipeline":  # call overhead only: no floor
                ts = [_per_call(f, 2000 if quick else 20000) for f in fns.values()]
                t_floor = float("nan")
            elif scene != "idle":
                ts = _median_interleaved(list(fns.values()), 7 if quick else 21, 2.0 if quick else 12.0)
                t_floor = float("nan")
            else:
                floor = _stream_floor(x, y, _prod(p.out_shape))
                *ts, t_stream = _median_interleaved(list(fns.values()) + [floor], 7 if quick else 21,
                                                    2.0 if quick else 12.0)
                t_floor = max(t_stream, p.flops / (ceil[f"fma_{dt.name}"] * 1e9))
            t_ours = ts[0]
            peer_names = list(fns)[1:]
            best = int(np.argmin(ts[1:]))
            t_peer = ts[1:][best]
            nbytes = _bytes(p, dt.itemsize)
            # repeated calls on the same data: inputs that fit in L3 are read from L3
            bw = ceil["l3_gbs"] if x.nbytes + y.nbytes <= L3_BYTES else ceil["dram_gbs"]
            t_roof = max(nbytes / (bw * 1e9), p.flops / (ceil[f"fma_{dt.name}"] * 1e9))
            ref, _ = reference_batch_dot(x, y, axes)
            got = batch_dot(x, y, axes)
            rel = float(np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-300))
            key = dispatch._runner_key(x, y, axes, None, None)
            fam = getattr(dispatch._RUNNERS.get(key), "family", "?")
            row = dict(workload=name, dtype=dt.name, kernel=fam, t=t_ours, peer=peer_names[best], t_peer=t_peer,
                       ratio=t_peer / t_ours, gbs=nbytes / t_ours / 1e9, gflops=p.flops / t_ours / 1e9,
                       roofline=t_roof / t_ours, floor=t_floor, pct_floor=t_floor / t_ours,
                       floor_ratio=t_peer / t_floor, relerr=rel)
            rows.append(row)
            floor_cols = ("-", "-", "-") if t_floor != t_floor else (
                _fmt(t_floor), f"{100 * row['pct_floor']:.0f}%", f"{row['floor_ratio']:.2f}")
            print(f"{name:9s} {dt.name:7s} {fam:10s} {_fmt(t_ours):>10s} {row['peer']:>13s} {_fmt(t_peer):>10s} "
                  f"{row['ratio']:6.2f} {row['gbs']:6.1f} {row['gflops']:8.1f} {100 * row['roofline']:7.0f}% "
                  f"{floor_cols[0]:>10s} {floor_cols[1]:>7s} {floor_cols[2]:>11s} {rel:8.1e}", file=out, flush=True)
    ratios = [r["ratio"] for r in rows]
    print(f"\ngeometric mean ratio (best peer time / batchdot time): {np.exp(np.mean(np.log(ratios))):.2f}; "
          f"min {min(ratios):.2f}", file=out)
    big = [r for r in rows if r["workload"] != "tiny"]
    if big and scene == "idle":
        gm = lambda v: float(np.exp(np.mean(np.log(v))))  # noqa: E731
        print(f"without tiny: geometric mean ratio {gm([r['ratio'] for r in big]):.2f}; a kernel at the measured "
              f"floor on every workload would reach {gm([r['floor_ratio'] for r in big]):.2f}", file=out)
    return rows


def _fmt(s):
    return f"{s * 1e6:.2f} us" if s < 1e-3 else f"{s * 1e3:.2f} ms"


# VmHWM, not ru_maxrss: the latter survives exec and would report the parent's peak.
_COLD = """
import time
t0 = time.perf_counter()
{body}
t1 = time.perf_counter()
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(t1 - t0, int(hwm) / 1024)
"""


def _child(body, env=None):
    res = subprocess.run([sys.executable, "-c", _COLD.format(body=body)], capture_output=True, text=True,
                         env=env, check=True)
    t, rss = res.stdout.split()
    return float(t), float(rss)


_FIRST_CALL = """
import resource
import numpy as np
import numba

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

@numba.njit
def trivial(a):
    return a + 1

trivial(1)  # the floor every Numba library pays, before the clock starts
rng = np.random.default_rng(0)
x = rng.standard_normal({xs!r}).astype("{dt}")
y = rng.standard_normal({ys!r}).astype("{dt}")
xf, yf = np.asfortranarray(x), np.asfortranarray(y)
t0 = cpu()
import batchdot
batchdot.batch_dot(x, y, {axes!r})
t1 = cpu()
batchdot.batch_dot(x, y, {axes!r})
t2 = cpu()
shape = batchdot.plan(x.shape, y.shape, {axes!r}).out_shape
out = np.empty(tuple(2 * s for s in shape), x.dtype)[tuple(slice(None, None, 2) for _ in shape)]
batchdot.batch_dot(xf, yf, {axes!r}, out=out)
batchdot.batch_dot(xf, yf, {axes!r}, out=out)
t3 = cpu()
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(t1 - t0, t2 - t1, t3 - t2, int(hwm) / 1024)
"""


def first_call(dtypes=("float32", "float64"), out=sys.stdout, workloads=None):
    """CPU seconds of first calls in a fresh process with an empty Numba cache, per workload.

    Measured beyond the floor every Numba library pays (``import numba`` and compiling a
    trivial ``@njit`` function, done before the clock starts): ``first`` is import batchdot +
    the first call (compile, verify, run); ``second`` the same call again (the parallel
    driver is built then); ``new layout`` two calls with Fortran-order operands and a strided
    ``out``.  Peak RSS of the whole process in MB.
    """
    import tempfile

    rows = []
    print(f"{'workload':9s} {'dtype':7s} {'first call':>10s} {'second':>8s} {'new layout':>10s} {'peak RSS':>9s}",
          file=out)
    for dt in dtypes:
        for name, (xs, ys, axes, _) in (workloads or WORKLOADS).items():
            code = _FIRST_CALL.format(xs=xs, ys=ys, dt=dt, axes=axes)
            with tempfile.TemporaryDirectory() as d:
                env = dict(os.environ, NUMBA_CACHE_DIR=d)
                res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
            if res.returncode != 0:
                raise RuntimeError(res.stderr)
            first, second, layout, rss = map(float, res.stdout.split())
            rows.append(dict(workload=name, dtype=dt, first=first, second=second, layout=layout, rss=rss))
            print(f"{name:9s} {dt:7s} {first:9.2f}s {second:7.2f}s {layout:9.2f}s {rss:8.0f}M", file=out, flush=True)
    return rows


def cold_start(out=sys.stdout):
    """Fresh-process import + first call, with the on-disk cache warm and without a cache."""
    import tempfile

    call = ("import numpy as np, batchdot\n"
            "batchdot.batch_dot(np.ones((8, 4, 4), np.float32), np.ones((8, 4, 4), np.float32))")
    _child(call)  # make sure the cache is warm
    numba_t = np.median([_child("import numba")[0] for _ in range(3)])
    warm = [_child(call) for _ in range(3)]
    warm_t, warm_rss = np.median([w[0] for w in warm]), max(w[1] for w in warm)
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, NUMBA_CACHE_DIR=d)
        cold_t, cold_rss = _child(call, env)
    print(f"cold start: import numba {numba_t:.2f} s; import batchdot + first call {warm_t:.2f} s "
          f"(+{warm_t - numba_t:.2f} s) with a warm cache, peak RSS {warm_rss:.0f} MB; "
          f"without a cache {cold_t:.2f} s, peak RSS {cold_rss:.0f} MB", file=out)
    return dict(numba=numba_t, warm=warm_t, warm_rss=warm_rss, cold=cold_t, cold_rss=cold_rss)


#: ``--blas`` shapes (B, M, K, N): squares at equal flops (B n^3 = 16 * 512^3), then others.
BLAS_SHAPES = tuple((16 * 512**3 // n**3, n, n, n) for n in (128, 192, 256, 384, 512, 768, 1024)) + (
    (1, 2048, 256, 2048), (4, 1024, 128, 1024), (8, 256, 2048, 256), (2, 384, 4096, 384),
    (64, 128, 1024, 128), (8, 1024, 384, 384))


def blas_crossover(dtypes, quick, out=sys.stdout, shapes=BLAS_SHAPES):
    """``np.matmul`` against the register tiles on large products, interleaved medians.

    The evidence behind the BLAS rule of ``batchdot.cpu.choose.choose_kernel`` (``BLAS_MIN``
    and the L2 size of one batch element of ``y``); ``auto`` is the automatic choice.
    """
    import batchdot._api as dispatch
    from batchdot.cpu import choose

    rng = np.random.default_rng(0)
    print(f"{'dtype':7s} {'B, M, K, N':>22s} {'y[b]':>9s} {'matmul':>10s} {'tile':>10s} {'ratio':>6s}  auto",
          file=out)
    rows = []
    for dt in dtypes:
        dt = np.dtype(dt)
        for B, M, K, N in shapes:
            x, y = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, K, N)).astype(dt)
            ts = _median_interleaved([lambda: np.matmul(x, y), lambda: batch_dot(x, y, kernel="tile")],
                                     5 if quick else 9, 2.0 if quick else 20.0)
            auto = choose.choose_kernel(B, M, K, N, x, y, dt, dt)
            print(f"{dt.name:7s} {f'{B}, {M}, {K}, {N}':>22s} {K * N * dt.itemsize / 2**20:6.2f} MiB "
                  f"{_fmt(ts[0]):>10s} {_fmt(ts[1]):>10s} {ts[0] / ts[1]:6.2f}  {auto}", file=out, flush=True)
            rows.append(dict(dtype=dt.name, shape=(B, M, K, N), t_matmul=ts[0], t_tile=ts[1], auto=auto))
    return rows


def call_memory(out=sys.stdout):
    """Peak memory NumPy allocates during one call, against the output's size (tracemalloc)."""
    import tracemalloc

    x = np.ones((4000, 32, 32), np.float32)
    y = np.ones((4000, 32, 32), np.float32)
    batch_dot(x, y)
    tracemalloc.start()
    r = batch_dot(x, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory of one call (small32 f32): peak {peak / 1e6:.1f} MB allocated during the call, "
          f"output {r.nbytes / 1e6:.1f} MB, inputs {2 * x.nbytes / 1e6:.1f} MB (not copied)", file=out)
    return peak, r.nbytes


def main(quick=False, dtypes=None, blas=False, scene="idle", out=sys.stdout):
    if any(v in os.environ for v in _STRIP) and not os.environ.get("BATCHDOT_BENCH_CHILD"):
        env = {k: v for k, v in os.environ.items() if k not in _STRIP}
        env["BATCHDOT_BENCH_CHILD"] = "1"
        args = [sys.executable, "-m", "batchdot", "bench"] + (["--quick"] if quick else [])
        args += ["--blas"] if blas else []
        args += [f"--{scene}"] if scene != "idle" else []
        for d in dtypes or ():
            args += ["--dtype", d]
        print(f"(re-running without {', '.join(_STRIP)} so NumPy's BLAS runs as on a user's machine)",
              file=out, flush=True)
        return subprocess.call(args, env=env)
    import numba

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"numba {numba.__version__} ({numba.get_num_threads()} threads, layer "
          f"{os.environ.get('NUMBA_THREADING_LAYER', 'default')}), numpy {np.__version__}", file=out)
    print(f"NumPy BLAS: {_blas_info()}", file=out)
    if blas:
        blas_crossover(dtypes or ("float32", "float64"), quick, out)
        return 0
    if scene == "first-call":
        print("CPU seconds of first calls: a fresh process each, empty NUMBA_CACHE_DIR, beyond import numba and "
              "a trivial @njit compile", file=out)
        first_call(dtypes or ("float32", "float64"), out)
        return 0
    ceil = ceilings(quick)
    print(f"ceilings: read bandwidth {ceil['dram_gbs']:.0f} GB/s (two 512 MiB arrays), {ceil['l3_gbs']:.0f} GB/s "
          f"(two 4 MiB, L3); BLAS GEMM {ceil['gemm_float32']:.0f} GFLOP/s f32, {ceil['gemm_float64']:.0f} f64; "
          f"FMA peak {ceil['fma_float32']:.0f} f32 / {ceil['fma_float64']:.0f} f64 GFLOP/s\n", file=out, flush=True)
    if scene == "idle":
        run_workloads(dtypes or ("float32", "float64"), quick, ceil, out)
        print(file=out)
        call_memory(out)
        cold_start(out)
        return 0
    if scene == "busy":
        with busy_core() as pid:
            print(f"scene: one core kept busy by process {pid} (a Python spin loop) during the table", file=out)
            run_workloads(dtypes or ("float32", "float64"), quick, ceil, out, scene)
    else:
        print(f"scene: every call, batchdot's and the peers', follows np.matmul of a float32 {PIPELINE_MATMUL} "
              "pair; times are per step (matmul + contraction)", file=out)
        run_workloads(dtypes or ("float32", "float64"), quick, ceil, out, scene)
    from ..cpu import policy

    print(f"\nparallel policy: {policy.state.snapshot()}", file=out)
    return 0
