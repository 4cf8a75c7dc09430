"""``python -m batchdot bench``: batchdot against the best peers, with roofline percentages.

Honest-measurement rules followed here:

- every peer and batchdot are timed in this one process, interleaved (one call of each in
  turn), medians of repeats, after warm-up (JIT compiled, caches loaded);
- NumPy's OpenBLAS is measured as a user gets it: ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE``
  (set on the development VMs, forcing AVX2 kernels) are removed by re-executing this
  command without them; the BLAS in use and its threads are printed (threadpoolctl);
- ceilings are measured on this machine at the start, best of a window of repeats
  (:func:`ceilings`): read bandwidth of two streams at one working set per cache level and
  one beyond the last (:func:`memory_roofs`), the FMA peak (register-only multiply-adds),
  both on all threads and on one thread, the better of the two, and BLAS GEMM GFLOP/s;
- roofline time = max(bytes moved once / bandwidth, flops / compute peak), the bandwidth
  being the one measured at the largest working set not above the workload's (inputs and
  output: repeated calls find what fits in a cache there, see :func:`memory_roof`), the
  compute peak the faster of FMA peak and GEMM; integer and bool sums have no compute
  ceiling (roofline "-");
- a measured floor per workload, timed interleaved with the others: a parallel Numba
  kernel that reads both inputs once and fills a freshly allocated output of the result's
  size (the least memory work any implementation does in this process), or flops / compute
  peak if larger.  "% floor" is floor / batchdot time; "floor ratio" is best peer time /
  floor, the ratio a kernel running at the floor would reach.

Dtypes: ``--dtype`` specs (:mod:`batchdot.bench.spec`): operands of one dtype, a mixed pair,
or a ``dtype=`` target.  NumPy's spellings get operands already of the result dtype (the cast,
where one is needed, is inside the timed call, as a user must write it); for float16 results
they are also timed in float32, rounded to float16 at the end.
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
from ..testing import random_values, reference_batch_dot
from .spec import DEFAULT_SPECS, DtypeSpec

_STRIP = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

#: Independent FMA chains per thread in :func:`fma_peak`, each one vector register wide:
#: enough to cover the FMA latency (4 cycles) at two FMAs a cycle, few enough to leave
#: registers for the constants (8 of AVX2's 16; chains sized for 512-bit vectors on an
#: AVX2 machine spilled and measured less than half the peak).
FMA_CHAINS = 8


def _einsum(spec):
    return lambda x, y: np.einsum(spec, x, y, optimize=True)


#: name -> (x shape, y shape, axes, peers {name: fn}); a peer gets both operands in the result
#: dtype and returns the result in it (``(x*y).sum`` sums in it, as integer matmul does).
WORKLOADS = {
    "rowdot": ((200_000, 64), (200_000, 64), 1, {
        "(x*y).sum": lambda x, y: (x * y).sum(-1, keepdims=True, dtype=x.dtype),
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
        "(x*y).sum": lambda x, y: (x * y).sum(-1, keepdims=True, dtype=x.dtype),
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


def ceilings(quick=False, reals=("float32", "float64")):
    """This machine's ceilings: memory roofs, and FMA peak and BLAS GEMM GFLOP/s per real dtype.

    ``{"memory": memory_roofs(quick), "fma_float32": ..., "gemm_float32": ..., ...}`` for the
    float dtypes ``reals`` (those the compute of the benchmarked dtypes is bounded by).  The
    FMA peaks are measured before any BLAS call, whose spinning threads would take a core.
    Each is the best over a window of repeats (about 3 s in all with ``quick``, 15 s without,
    plus compiling the FMA kernels).
    """
    out = {"memory": memory_roofs(quick)}
    reals = [np.dtype(dt) for dt in reals]
    for dt in reals:
        out[f"fma_{dt.name}"] = fma_peak(dt, window=0.2 if quick else 1.0)
    for dt in reals:
        n = 2048
        a = np.ones((n, n), dt)
        a @ a
        out[f"gemm_{dt.name}"] = 2 * n**3 / _best_time(lambda: a @ a, 3, 0.3 if quick else 2.0) / 1e9
    return out


def best_ceilings(*measured):
    """The better value of each ceiling over several :func:`ceilings` results (load comes and goes)."""
    out = dict(measured[0])
    for m in measured[1:]:
        out["memory"] = [(name, ws, max(g1, g2)) for (name, ws, g1), (_, _, g2) in zip(out["memory"], m["memory"])]
        out.update({k: max(v, out.get(k, 0.0)) for k, v in m.items() if k != "memory"})
    return out


def compute_peak(ceil, real):
    """GFLOP/s the compute of real float dtype ``real`` cannot exceed: FMA peak or GEMM, the faster."""
    real = np.dtype(real).name
    return max(ceil.get(f"fma_{real}", 0.0), ceil.get(f"gemm_{real}", 0.0)) or float("nan")


def cache_sizes():
    """``{level: (bytes, CPUs sharing it)}`` of CPU 0's data caches (Linux sysfs).

    Where sysfs cannot be read: 32 KiB L1 and 1 MiB L2 per core, 32 MiB L3 for all.
    """
    import glob

    sizes = {}
    for d in sorted(glob.glob("/sys/devices/system/cpu/cpu0/cache/index*")):
        try:
            with open(f"{d}/level") as f:
                level = int(f.read())
            with open(f"{d}/type") as f:
                kind = f.read().strip()
            with open(f"{d}/size") as f:
                text = f.read().strip()
            size = int(text[:-1]) << {"K": 10, "M": 20, "G": 30}[text[-1]]
            with open(f"{d}/shared_cpu_list") as f:
                shared = sum(int(r.split("-")[-1]) - int(r.split("-")[0]) + 1 for r in f.read().strip().split(","))
        except (OSError, ValueError, KeyError, IndexError):
            continue
        if kind in ("Data", "Unified"):
            sizes[level] = (size, shared)
    return sizes or {1: (32 << 10, 1), 2: (1 << 20, 1), 3: (32 << 20, os.cpu_count() or 1)}


@functools.cache
def _read_kernel():
    """``read2(a, b, passes)``: ``sum(a * b)`` over ``passes`` passes (serial, vector sums, no GIL)."""
    from numba import njit

    @njit(nogil=True, fastmath=True, cache=False)
    def read2(a, b, passes):
        s = 0.0
        for _ in range(passes):
            for i in range(a.shape[0]):
                s += a[i] * b[i]
        return s

    return read2


def read_bandwidth(nbytes, quick=False):
    """Best GB/s of reading two float64 arrays of ``nbytes`` in all (a dot product's streams).

    One thread per Numba thread, each reading its own share over and over from the moment
    they all start (the time runs from the first start to the last finish): each share stays
    in whichever cache holds it, as the operands of repeated benchmark calls do.  Then one
    thread reading all of it; the better of the two (on a machine with a core taken by
    another process, one thread is faster than all).  Python threads running a serial
    ``nogil`` kernel, not ``prange``: Numba's parallel body dropped the fastmath flags and
    summed with scalar instructions at a fifth of the speed.
    """
    import threading

    from numba import get_num_threads

    nt = get_num_threads()
    n = max(nbytes // 16, 64 * nt)
    a, b = np.ones(n), np.ones(n)
    passes = max(1, (32 << 20 if quick else 128 << 20) // (16 * n))
    read2 = _read_kernel()
    read2(a[:64], b[:64], 1)

    def once(bounds):
        barrier, spans = threading.Barrier(len(bounds)), [None] * len(bounds)

        def work(t):
            lo, hi = bounds[t]
            barrier.wait()
            t0 = time.perf_counter()
            read2(a[lo:hi], b[lo:hi], passes)
            spans[t] = (t0, time.perf_counter())

        threads = [threading.Thread(target=work, args=(t,)) for t in range(len(bounds))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return max(e for _, e in spans) - min(s for s, _ in spans)

    best = 0.0
    for k in sorted({nt, 1}, reverse=True):  # one thread too: with a core taken, one can beat all
        bounds = [(t * n // k, (t + 1) * n // k) for t in range(k)]
        once(bounds)
        times, t_end = [], time.perf_counter() + (0.1 if quick else 0.5)
        while len(times) < 3 or time.perf_counter() < t_end:  # best of a window: load comes and goes
            times.append(once(bounds))
        best = max(best, 16 * (bounds[-1][1] - bounds[0][0]) * passes / min(times) / 1e9)
    return best


def memory_roofs(quick=False):
    """``[(level, working set bytes, GB/s)]``: read bandwidth at one working set per memory level.

    Per cache level, half of what the Numba threads' caches of that level hold together;
    ``"DRAM"``: twice the last level's.  Sorted by working set; a roof is raised to the
    bandwidth of any larger working set that measured faster (noise), so that the roofs never
    increase with the working set.
    """
    from numba import get_num_threads

    threads = get_num_threads()
    levels = []
    for level, (size, shared) in sorted(cache_sizes().items()):
        together = size * max(1, -(-threads // shared))  # caches of this level the threads use
        levels.append((f"L{level}", together // 2))
    levels.append(("DRAM", 2 * together))
    roofs = [(name, ws, read_bandwidth(ws, quick)) for name, ws in levels]
    for i in range(len(roofs) - 2, -1, -1):
        name, ws, gbs = roofs[i]
        roofs[i] = (name, ws, max(gbs, roofs[i + 1][2]))
    return roofs


def memory_roof(roofs, nbytes):
    """``(level, GB/s)`` a workload moving ``nbytes`` (inputs + output) per call is held to.

    The roof measured at the largest working set not above ``nbytes`` (the smallest one
    below all of them): repeated calls on the same data find in the caches at most what a
    stream of that size finds, so it cannot stream faster than that.
    """
    fit = [r for r in roofs if r[1] <= nbytes] or roofs[:1]
    name, _, gbs = fit[-1]
    return name, gbs


def _fmt_bytes(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.0f} {unit}"
    return f"{n} B"


def format_ceilings(ceil):
    """The ceilings as the bench prints them."""
    mem = ", ".join(f"{name} {gbs:.0f} ({_fmt_bytes(ws)})" for name, ws, gbs in ceil["memory"])
    text = f"ceilings: read bandwidth GB/s at a working set of: {mem}"
    for real in ("float32", "float64"):
        if f"fma_{real}" in ceil:
            text += (f"; {real}: FMA peak {ceil[f'fma_{real}']:.0f}, BLAS GEMM {ceil[f'gemm_{real}']:.0f} "
                     f"GFLOP/s")
    return text


@functools.cache
def _fma_chains():
    """``chains(c, a, b, reps)``: ``reps`` times ``c = c * a + b`` on the float array ``c``,
    fused (``llvm.fma``), with ``c`` held as :data:`FMA_CHAINS` vector registers throughout.

    ``c`` is one C-contiguous row of ``FMA_CHAINS * W`` elements (``W`` lanes of the host's
    vectors, :func:`batchdot.cpu.vector.lanes`): the chains are independent, so the loop is
    bound by the FMA units' throughput, not their latency.  Explicit LLVM vectors, as in the
    engine's tiles: no SLP vectoriser, a fraction of a second to compile.
    """
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    from ..cpu.vector import _splat, lanes

    @intrinsic
    def chains(typingctx, c, a, b, reps):
        if not (isinstance(c, types.Array) and c.layout == "C" and isinstance(c.dtype, types.Float)
                and c.dtype.bitwidth in (32, 64)):
            return None
        sig = types.void(c, c.dtype, c.dtype, types.intp)

        def codegen(context, builder, sig, args):
            arr, av, bv, n = args
            dt = np.dtype(str(sig.args[0].dtype))
            ft = context.get_value_type(sig.args[0].dtype)
            w = lanes(dt)
            vty = ir.VectorType(ft, w)
            data = context.make_array(sig.args[0])(context, builder, arr).data
            vptr = builder.bitcast(data, vty.as_pointer())
            ptrs = [builder.gep(vptr, [ir.Constant(ir.IntType(64), j)]) for j in range(FMA_CHAINS)]
            a_v, b_v = _splat(builder, av, vty), _splat(builder, bv, vty)
            fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vty, [vty] * 3),
                                                 f"llvm.fma.v{w}f{8 * dt.itemsize}")
            accs = [builder.load(q, align=dt.itemsize) for q in ptrs]
            pre = builder.basic_block
            loop, done = builder.append_basic_block("loop"), builder.append_basic_block("done")
            builder.cbranch(builder.icmp_signed(">", n, ir.Constant(n.type, 0)), loop, done)
            builder.position_at_end(loop)
            i = builder.phi(n.type)
            i.add_incoming(ir.Constant(n.type, 0), pre)
            phis = []
            for acc in accs:
                ph = builder.phi(vty)
                ph.add_incoming(acc, pre)
                phis.append(ph)
            new = [builder.call(fma, [ph, a_v, b_v]) for ph in phis]
            i1 = builder.add(i, ir.Constant(n.type, 1))
            i.add_incoming(i1, builder.basic_block)
            for ph, v in zip(phis, new):
                ph.add_incoming(v, builder.basic_block)
            builder.cbranch(builder.icmp_signed("<", i1, n), loop, done)
            builder.position_at_end(done)
            ends = [builder.phi(vty) for _ in accs]
            for end, acc, v in zip(ends, accs, new):
                end.add_incoming(acc, pre)
                end.add_incoming(v, loop)
            for end, q in zip(ends, ptrs):
                builder.store(end, q, align=dt.itemsize)
            return context.get_dummy_value()

        return sig, codegen

    return chains


@functools.cache
def _fma_kernel(parallel=True):
    """``fma_rows(out, a, b, reps)``: :func:`_fma_chains` on every row of ``out``, the rows on
    Numba's threads (``parallel``) or on the caller's thread.  Not cached on disk (well under
    a second, once per bench)."""
    from numba import njit, prange

    chains = _fma_chains()

    def fma_rows(out, a, b, reps):
        for t in prange(out.shape[0]):
            chains(out[t], a, b, reps)

    return njit(parallel=parallel, cache=False)(fma_rows)


def fma_peak(dtype, reps=4_000_000, window=0.0):
    """Measured FMA throughput (GFLOP/s): the machine's compute ceiling.

    Register-only multiply-adds on :data:`FMA_CHAINS` chains of one vector register each
    (the host's width, ``batchdot.cpu.vector.VECTOR_BYTES``), on every Numba thread and then
    on the caller's thread alone, serial code (with a core taken by another process, one
    thread is faster than all, and waking a worker thread can cost a scheduler time slice),
    the better of the two; each the best of at least 5 runs and of ``window`` seconds of
    runs.  The roofline and the floor divide flops by it (or by GEMM's rate where that
    came out faster).  Measure it before NumPy's BLAS runs, or some time after: OpenBLAS's
    idle threads spin for a while and take a core.
    """
    from numba import get_num_threads

    from ..cpu.jit import compile_for
    from ..cpu.vector import lanes

    dt = np.dtype(dtype)
    n = FMA_CHAINS * lanes(dt)
    best = 0.0
    for threads in sorted({get_num_threads(), 1}, reverse=True):
        out = np.linspace(0.5, 1.0, threads * n).astype(dt).reshape(-1, n)
        args = (out, dt.type(0.999), dt.type(1e-3), reps)
        run = compile_for(_fma_kernel(parallel=threads > 1), args)
        run(*args)
        best = max(best, 2 * out.size * reps / _best_time(lambda: run(*args), 5, window) / 1e9)
    return best


def _best_time(fn, runs, window):
    """Shortest seconds of ``fn()`` over at least ``runs`` runs and ``window`` seconds of runs."""
    times, t_end = [], time.perf_counter() + window
    while len(times) < runs or time.perf_counter() < t_end:
        times.append(_time_once(fn))
    return min(times)


@functools.cache
def _stream_kernel():
    """``stream(x, y, out)``: read the float64 words ``x`` and ``y`` once, zero the bytes ``out``.

    Returns the sum of the words (so that the reads are not dead code).  Words, not elements:
    one compiled kernel reads operands of every dtype at the same speed.
    """
    from numba import njit, prange

    @njit(parallel=True, fastmath=True, cache=False)
    def stream(x, y, out):
        s = 0.0
        for i in prange(x.shape[0]):
            s += x[i]
        for i in prange(y.shape[0]):
            s += y[i]
        for i in prange(out.shape[0]):
            out[i] = 0
        return s

    return stream


def _words(a):
    """The bytes of the C-contiguous ``a`` as float64 words (a last partial word left out)."""
    b = a.reshape(-1).view(np.uint8)
    return b[: b.size - b.size % 8].view(np.float64)


def _stream_floor(x, y, out_size, out_dtype):
    """A call that reads ``x`` and ``y`` once and fills a fresh output of ``out_size`` items."""
    stream, xw, yw = _stream_kernel(), _words(x), _words(y)
    return lambda: stream(xw, yw, np.empty(out_size, out_dtype).view(np.uint8))


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


def _bytes(x, y, p, out_dtype):
    """Minimum traffic of one call: read both operands once, write the result once."""
    return x.nbytes + y.nbytes + _prod(p.out_shape) * np.dtype(out_dtype).itemsize


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


def scene_setting(scene):
    """What runs beside the calls of ``scene`` (:data:`SCENES`) for the duration: one core kept
    busy (:func:`busy_core`) for ``"busy"``, nothing otherwise (``"pipeline"``'s matmul comes
    with each call: :func:`_in_scene`)."""
    return busy_core() if scene == "busy" else contextlib.nullcontext()


def _in_scene(fn, scene, matmul):
    """``fn`` as the scene runs it: alone, or right after NumPy's BLAS (``--pipeline``)."""
    if scene != "pipeline":
        return fn

    def step():
        matmul()
        return fn()

    return step


def as_specs(dtypes):
    """:class:`DtypeSpec` objects from specs or their strings (``"float32"``, ``"int8:int32"``)."""
    from .spec import dtype_spec

    return [d if isinstance(d, DtypeSpec) else dtype_spec(str(d)) for d in dtypes]


def _peer_calls(peers, x, y, spec):
    """``{name: call}``: each NumPy spelling on operands cast to the result dtype (in the call).

    For a float16 result each spelling is also timed in float32 (``name(f32)``), rounded to
    float16 once at the end, as batchdot sums float16.
    """
    res = spec.out

    def cast(a, dt):
        return a if a.dtype == dt else a.astype(dt)

    calls = {k: (lambda f=f: f(cast(x, res), cast(y, res))) for k, f in peers.items()}
    if res == np.float16:
        f32 = np.dtype(np.float32)
        calls.update({f"{k}(f32)": (lambda f=f: f(cast(x, f32), cast(y, f32)).astype(res)) for k, f in peers.items()})
    return calls


def _relerr(got, x, y, axes, spec):
    """Max error relative to the largest reference value; integer and bool: 0 if exact, else inf."""
    ref, out_dtype = reference_batch_dot(x, y, axes, spec.target)
    if out_dtype.kind in "biu":
        expect = ref != 0 if out_dtype.kind == "b" else ref.astype(out_dtype)
        return 0.0 if np.array_equal(got, expect) else float("inf")
    return float(np.max(np.abs(got - ref), initial=0.0) / max(np.max(np.abs(ref), initial=0.0), 1e-300))


def run_workloads(dtypes, quick, ceil, out=sys.stdout, scene="idle", workloads=None):
    """The bench table: batchdot against the best NumPy spelling on every workload.

    ``dtypes``: :class:`DtypeSpec` objects or their strings.  ``workloads``: names in
    :data:`WORKLOADS` (default all).  ``scene``: ``"idle"``; ``"busy"`` (the caller keeps one
    core busy, see :func:`busy_core`); ``"pipeline"`` (every call, of batchdot and of the
    peers alike, follows a float32 ``np.matmul`` of :data:`PIPELINE_MATMUL`; times are of
    the whole step).  Floors are measured in the idle scene only: a parallel floor kernel
    says nothing on a contended machine.
    """
    import batchdot._api as dispatch
    from ..cpu import policy

    specs = as_specs(dtypes)
    handovers = False
    tf_peer = _tf_peer()
    rng = np.random.default_rng(0)
    a = rng.standard_normal(PIPELINE_MATMUL, dtype=np.float32)
    w = rng.standard_normal(PIPELINE_MATMUL[::-1], dtype=np.float32)
    matmul = functools.partial(np.matmul, a, w)
    rows = []
    dw = max(7, *(len(str(s)) for s in specs))
    hdr = (f"{'workload':9s} {'dtype':{dw}s} {'kernel':10s} {'batchdot':>10s} {'best peer':>14s} {'peer':>10s} "
           f"{'ratio':>6s} {'GB/s':>6s} {'GFLOP/s':>8s} {'roofline':>8s} {'mem':>4s} {'floor':>10s} "
           f"{'% floor':>7s} {'floor ratio':>11s} {'rel.err':>8s}")
    print(hdr, file=out)
    for spec in specs:
        res = spec.out
        compute = spec.compute
        peak = compute_peak(ceil, compute[0]) / compute[1] if compute else float("nan")
        for name in workloads or WORKLOADS:
            xs, ys, axes, peers = WORKLOADS[name]
            x = random_values(rng, xs, spec.x)
            y = random_values(rng, ys, spec.y)
            p = plan(xs, ys, axes)
            fns = {"batchdot": lambda: batch_dot(x, y, axes, **spec.kwargs)}
            fns.update(_peer_calls(peers, x, y, spec))
            if tf_peer is not None and spec.target is None and spec.x == spec.y and res.name in ("float32", "float64"):
                fns["tf.keras"] = lambda: tf_peer(x, y, axes)
            fns = {k: _in_scene(f, scene, matmul) for k, f in fns.items()}
            handed = (policy.state.to_blas, policy.state.to_tiles)
            if name == "tiny" and scene != "pipeline":  # call overhead only: no floor
                ts = [_per_call(f, 2000 if quick else 20000) for f in fns.values()]
                t_floor = float("nan")
            elif scene != "idle":
                ts = _median_interleaved(list(fns.values()), 7 if quick else 21, 2.0 if quick else 12.0)
                t_floor = float("nan")
            else:
                floor = _stream_floor(x, y, _prod(p.out_shape), res)
                *ts, t_stream = _median_interleaved(list(fns.values()) + [floor], 7 if quick else 21,
                                                    2.0 if quick else 12.0)
                t_floor = max(t_stream, p.flops / (peak * 1e9)) if compute else t_stream
            t_ours = ts[0]
            peer_names = list(fns)[1:]
            best = int(np.argmin(ts[1:]))
            t_peer = ts[1:][best]
            nbytes = _bytes(x, y, p, res)
            level, bw = memory_roof(ceil["memory"], nbytes)
            t_roof = max(nbytes / (bw * 1e9), p.flops / (peak * 1e9)) if compute else float("nan")
            got = batch_dot(x, y, axes, **spec.kwargs)
            rel = _relerr(got, x, y, axes, spec)
            key = dispatch._runner_key(x, y, axes, spec.target, None)
            fam = getattr(dispatch._RUNNERS.get(key), "family", "?")
            if fam == "tile" and policy.state.to_blas > handed[0]:
                fam, handovers = "tile>blas", True
            elif fam == "blas" and policy.state.to_tiles > handed[1]:
                fam, handovers = "blas>tile", True
            row = dict(workload=name, dtype=str(spec), kernel=fam, t=t_ours, peer=peer_names[best], t_peer=t_peer,
                       ratio=t_peer / t_ours, gbs=nbytes / t_ours / 1e9, gflops=p.flops / t_ours / 1e9,
                       roofline=t_roof / t_ours, level=level, floor=t_floor, pct_floor=t_floor / t_ours,
                       floor_ratio=t_peer / t_floor, relerr=rel)
            rows.append(row)
            floor_cols = ("-", "-", "-") if t_floor != t_floor else (
                _fmt(t_floor), f"{100 * row['pct_floor']:.0f}%", f"{row['floor_ratio']:.2f}")
            roof_col = "-" if t_roof != t_roof else f"{100 * row['roofline']:.0f}%"
            print(f"{name:9s} {str(spec):{dw}s} {fam:10s} {_fmt(t_ours):>10s} {row['peer']:>14s} "
                  f"{_fmt(t_peer):>10s} {row['ratio']:6.2f} {row['gbs']:6.1f} {row['gflops']:8.1f} {roof_col:>8s} "
                  f"{level:>4s} {floor_cols[0]:>10s} {floor_cols[1]:>7s} {floor_cols[2]:>11s} {rel:8.1e}",
                  file=out, flush=True)
    ratios = [r["ratio"] for r in rows]
    if handovers:
        print("kernel a>b: chosen a, and the parallel policy ran some of the timed calls on b (BLAS's threads "
              "would wait for a busy core, or NumPy's own BLAS threads held the cores)", file=out)
    print(f"\ngeometric mean ratio (best peer time / batchdot time): {np.exp(np.mean(np.log(ratios))):.2f}; "
          f"min {min(ratios):.2f}", file=out)
    big = [r for r in rows if r["workload"] != "tiny"]
    if big and scene == "idle":
        gm = lambda v: float(np.exp(np.mean(np.log(v))))  # noqa: E731
        print(f"without tiny: geometric mean ratio {gm([r['ratio'] for r in big]):.2f}; a kernel at the measured "
              f"floor on every workload would reach {gm([r['floor_ratio'] for r in big]):.2f}", file=out)
    if any(s.compute is None or s.compute[1] != 1 for s in specs):
        print("GFLOP/s counts 2*B*M*N*K multiply-adds of the result dtype: a complex one is 4 real FMAs (its "
              "compute peak is a quarter of the real one's); integer and bool sums have no measured compute "
              "ceiling, so no roofline, and their floor is memory only", file=out)
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

def status(key):  # VmRSS, VmHWM: KiB
    return int([l for l in open("/proc/self/status") if l.startswith(key)][0].split()[1])

@numba.njit
def trivial(a):
    return a + 1

trivial(1)  # the floor every Numba library pays, before the clock starts
from batchdot.testing import random_values
rng = np.random.default_rng(0)
x = random_values(rng, {xs!r}, "{xd}")
y = random_values(rng, {ys!r}, "{yd}")
kw = {kwargs!r}
xf, yf = np.asfortranarray(x), np.asfortranarray(y)
rss0 = status("VmRSS")
t0 = cpu()
import batchdot
batchdot.batch_dot(x, y, {axes!r}, **kw)
t1 = cpu()
batchdot.batch_dot(x, y, {axes!r}, **kw)
t2 = cpu()
second = t2 - t1
hwm2 = status("VmHWM")
shape = batchdot.plan(x.shape, y.shape, {axes!r}).out_shape
base = np.empty(shape[:-1] + (2 * shape[-1],), "{res}")
base.fill(0)  # a user's out= holds data: its pages are mapped (else their faults are timed)
out = base[..., ::2]
t2 = cpu()
batchdot.batch_dot(xf, yf, {axes!r}, out=out, **kw)
batchdot.batch_dot(xf, yf, {axes!r}, out=out, **kw)
t3 = cpu()
batchdot.batch_dot(xf, yf, {axes!r}, out=out, **kw)
batchdot.batch_dot(xf, yf, {axes!r}, out=out, **kw)
t4 = cpu()
print(t1 - t0, second, t3 - t2, (t3 - t2) - (t4 - t3), status("VmHWM") / 1024, (hwm2 - rss0) / 1024)
"""


def first_call(dtypes=("float32", "float64"), out=sys.stdout, workloads=None):
    """CPU seconds of first calls in a fresh process with an empty Numba cache, per workload.

    Measured beyond the floor every Numba library pays (``import numba`` and compiling a
    trivial ``@njit`` function, done before the clock starts): ``first`` is import batchdot +
    the first call (compile, verify, run); ``second`` the same call again (the parallel
    driver is built then); ``new layout`` two calls with Fortran-order operands and a strided
    ``out`` (every other element of the rows of an array filled before the clock starts, as
    a user's ``out`` holds data; before 2026-12-07 it was a ``[::2, ::2, ...]`` view of fresh
    memory, and the page faults of its first call, up to 0.6 s for small32 float64, were
    counted as the layout's cost: ``asv_bench/records/2026-12-07-1127-strided-out-faults.txt``),
    and ``beyond run`` what they cost more than the same two calls again (what the new layout
    sets up or compiles, without the calls' own work: two 16 x 512^3 products take seconds of
    CPU in any layout).  Peak RSS of the whole process in MB (with that ``out``'s array), and
    ``growth``: the peak over the first two calls less the RSS just before ``import batchdot``
    (NumPy, Numba and the operands already loaded): what importing, compiling (serial kernel,
    parallel driver) and the two calls (their results and staged copies) added at most.
    ``dtypes``: specs or their strings;
    ``workloads``: ``{name: (x shape, y shape, axes, ...)}`` (default :data:`WORKLOADS`).
    """
    import tempfile

    specs = as_specs(dtypes)
    dw = max(7, *(len(str(s)) for s in specs))
    rows = []
    print(f"{'workload':9s} {'dtype':{dw}s} {'first call':>10s} {'second':>8s} {'new layout':>10s} {'beyond run':>10s} "
          f"{'peak RSS':>9s} {'growth':>7s}", file=out)
    for spec in specs:
        kwargs = {"dtype": spec.target.name} if spec.target is not None else {}
        for name, (xs, ys, axes, *_) in (workloads or WORKLOADS).items():
            code = _FIRST_CALL.format(xs=xs, ys=ys, xd=spec.x.name, yd=spec.y.name, kwargs=kwargs, axes=axes,
                                      res=spec.out.name)
            with tempfile.TemporaryDirectory() as d:
                env = dict(os.environ, NUMBA_CACHE_DIR=d)
                res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
            if res.returncode != 0:
                raise RuntimeError(res.stderr)
            first, second, layout, setup, rss, growth = map(float, res.stdout.split())
            rows.append(dict(workload=name, dtype=str(spec), first=first, second=second, layout=layout,
                             layout_setup=setup, rss=rss, rss_growth=growth))
            print(f"{name:9s} {str(spec):{dw}s} {first:9.2f}s {second:7.2f}s {layout:9.2f}s {setup:9.2f}s {rss:8.0f}M "
                  f"{growth:6.0f}M", file=out, flush=True)
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


def blas_spec(spec):
    """Whether ``--blas`` measures ``spec``: one float32 or float64 dtype, where NumPy calls BLAS."""
    return spec.x == spec.y == spec.out and spec.out.name in ("float32", "float64")


def blas_crossover(dtypes, quick, out=sys.stdout, shapes=BLAS_SHAPES):
    """``np.matmul`` against the register tiles on large products, interleaved medians.

    The evidence behind the BLAS rule of ``batchdot.cpu.choose.choose_kernel`` (``BLAS_MIN``
    and the L2 size of one batch element of ``y``); ``auto`` is the automatic choice.
    """
    from batchdot.cpu import choose

    rng = np.random.default_rng(0)
    print(f"{'dtype':7s} {'B, M, K, N':>22s} {'y[b]':>9s} {'matmul':>10s} {'tile':>10s} {'ratio':>6s}  auto",
          file=out)
    rows = []
    for spec in as_specs(dtypes):
        if not blas_spec(spec):
            raise ValueError(f"--blas compares np.matmul's BLAS with the tiles on float32 or float64 operands of one "
                             f"dtype, got {spec}")
        dt = spec.out
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


def main(quick=False, dtypes=None, blas=False, scene="idle", out=sys.stdout, workloads=None):
    """``python -m batchdot bench``: ``dtypes`` are specs (or their strings), ``workloads`` names."""
    specs = as_specs(dtypes or DEFAULT_SPECS)
    if any(v in os.environ for v in _STRIP) and not os.environ.get("BATCHDOT_BENCH_CHILD"):
        env = {k: v for k, v in os.environ.items() if k not in _STRIP}
        env["BATCHDOT_BENCH_CHILD"] = "1"
        args = [sys.executable, "-m", "batchdot", "bench"] + (["--quick"] if quick else [])
        args += ["--blas"] if blas else []
        args += [f"--{scene}"] if scene != "idle" else []
        for d in dtypes or ():
            args += ["--dtype", str(d)]
        for w in workloads or ():
            args += ["--workload", w]
        print(f"(re-running without {', '.join(_STRIP)} so NumPy's BLAS runs as on a user's machine)",
              file=out, flush=True)
        return subprocess.call(args, env=env)
    import numba

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"numba {numba.__version__} ({numba.get_num_threads()} threads, layer "
          f"{os.environ.get('NUMBA_THREADING_LAYER', 'default')}), numpy {np.__version__}", file=out)
    print(f"NumPy BLAS: {_blas_info()}", file=out)
    if blas:
        blas_crossover(specs, quick, out)
        return 0
    if scene == "first-call":
        print("CPU seconds of first calls: a fresh process each, empty NUMBA_CACHE_DIR, beyond import numba and "
              "a trivial @njit compile", file=out)
        first_call(specs, out, {w: WORKLOADS[w] for w in workloads} if workloads else None)
        return 0
    reals = sorted({s.compute[0].name for s in specs if s.compute})
    ceil = ceilings(quick, reals)
    print(format_ceilings(ceil) + "\n", file=out, flush=True)
    from ..cpu import policy

    if scene == "idle":
        run_workloads(specs, quick, ceil, out, workloads=workloads)
        # (regions run and sent serial during the table: NumPy's BLAS threads beside the timed
        # calls, or a slow core, show here)
        print(f"\nparallel policy: {policy.state.snapshot()}", file=out)
        if not workloads:
            print(file=out)
            call_memory(out)
            cold_start(out)
        return 0
    if scene == "busy":
        with busy_core() as pid:
            print(f"scene: one core kept busy by process {pid} (a Python spin loop) during the table", file=out)
            run_workloads(specs, quick, ceil, out, scene, workloads)
    else:
        print(f"scene: every call, batchdot's and the peers', follows np.matmul of a float32 {PIPELINE_MATMUL} "
              "pair; times are per step (matmul + contraction)", file=out)
        run_workloads(specs, quick, ceil, out, scene, workloads)
    print(f"\nparallel policy: {policy.state.snapshot()}", file=out)
    return 0
