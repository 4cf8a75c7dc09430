"""The parallel policy: how many threads a call runs on.  The one place this is decided.

A parallel region is only as fast as its slowest thread.  When another process keeps a core
busy, or NumPy's OpenBLAS threads spin after a ``np.matmul`` (they keep a core for about
100 ms after each call; ``python -m batchdot bench --pipeline``), one of the region's
threads waits for that core — a whole scheduler tick (4-8 ms) — and a 50 us call takes 8 ms.
The policy therefore decides per call, from what it measures, not from configuration:

1. **Small work runs serially**: below :data:`SERIAL_CUTOFF` multiply-adds, or with one
   work item, a parallel region costs more than it saves.
2. **Caps**: ``numba.get_num_threads()`` (``NUMBA_NUM_THREADS``, ``numba.set_num_threads``,
   thread-local as in Numba) and :func:`thread_limit` (batchdot's own cap).
3. **One region at a time**: a call that finds another batchdot region running (another
   Python thread, a Dask worker thread) runs serially instead of oversubscribing the cores.
   This also keeps Numba's ``workqueue`` layer, which aborts on concurrent regions, safe.
4. **Measured contention**: every region reports its speed-up over one thread
   (:mod:`batchdot.cpu.clock`).  Below :data:`GAIN_CLEAR`, or below :data:`GAIN_MIN` twice in
   a row, the following calls run serially.
   While serial, the policy watches the machine (``/proc/stat``: idle CPU time of the CPUs
   this process may run on, plus this process's other threads' CPU time, less the caller's
   own idle time) and returns to parallel with as many threads as there are free cores once
   at least one more is free.  Where that cannot be
   read it retries parallel after a hold that doubles after each failed retry
   (:data:`HOLD_MIN` .. :data:`HOLD_MAX`; contention that returns sooner than the hold doubles
   it too).
5. **BLAS or the tiles**: a large float product that the kernel choice gives to BLAS runs
   on the tiles instead while other processes keep a core busy (:func:`others_busy`):
   BLAS's threads would each wait for it.  One it gives to the tiles is handed to BLAS
   while this process's own threads hold the cores (:func:`own_contention`: NumPy's BLAS
   threads spinning after a ``np.matmul``), rather than run on one thread.
6. **fork**: in a child forked after Numba started its threads, every call runs serially
   (GNU OpenMP terminates a forked child that starts a region; other layers have no threads
   in the child).

Nothing here sets an environment variable, a Numba setting or an OpenMP setting: the user's
own Numba code and other OpenMP libraries behave as they would without batchdot.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time

__all__ = ["SERIAL_CUTOFF", "CHUNKS_PER_THREAD", "GAIN_MIN", "GAIN_CLEAR", "threads", "run", "run_exclusive", "thread_limit",
           "get_thread_limit", "others_busy", "own_contention", "state"]

#: Below this many multiply-adds a call runs serially: a parallel region costs more.
SERIAL_CUTOFF = 1 << 15
#: Chunks per thread in parallel regions (load balance against scheduling cost).
CHUNKS_PER_THREAD = 4
#: A region whose measured speed-up over one thread is below this means a core is contended.
GAIN_MIN = 1.1
#: Below this the contention is clear (a thread waited for a core): serial at once.  Between
#: it and GAIN_MIN only a second such region in a row counts: a short region on an idle
#: machine measures there now and then (a worker woken late), and one of them cost tens of ms
#: of serial calls (squash, 100 us calls: 1.05 once, then 85 % of 300 calls serial at 160 us
#: against 97 us in parallel).  A region that starts after the workers have idled for
#: SETTLE or more (asleep: waking them takes tens of us) is judged like a mild one whatever
#: its gain; otherwise every return to parallel of a short call measured 0.4-0.45 and
#: doubled the hold, and squash stayed serial on an idle machine
#: (`asv_bench/records/2026-12-06-0703-squash-policy-verdicts.txt`).
GAIN_CLEAR = 0.9
#: Seconds of serial running before the machine is looked at again, doubling after each
#: return to parallel that failed at once or ended in contention sooner than the hold, up
#: to HOLD_MAX; a parallel stint that outlasts the hold starts it again from HOLD_MIN.
HOLD_MIN = 0.03
HOLD_MAX = 2.0
#: Seconds for Numba's own OpenMP workers to stop spinning after the last region (measured
#: about 9 ms of CPU after a region here), before idle time is counted.
SETTLE = 0.015

_limit = None  # thread_limit(); None: no cap of batchdot's own
_region = threading.Lock()  # held while a batchdot region runs
_layer_lock = threading.Lock()


class _State:
    """Contention state, shared by all threads (updated only while holding ``_region``)."""

    def __init__(self):
        self.forked = False  # a child forked after Numba's threads started: serial only
        self.serial_since = None  # time.monotonic() when contention was seen, else None
        self.hold = HOLD_MIN
        self.width = None  # threads chosen on the last return to parallel (None: the caps)
        self.parallel_since = None  # monotonic time of the last return to parallel (``width``
        # holds for HOLD_MAX from it)
        self.probing = False  # the next verdict is the first after a return to parallel
        self.sample = None  # (monotonic, idle cycles of our CPUs, caller's thread_time, thread id)
        self.last_gain = None
        self.regions = 0  # parallel regions run (for tests and the bench)
        self.contended = 0  # regions whose gain sent the calls serial
        self.doubt = False  # the last region's gain was between GAIN_CLEAR and GAIN_MIN (or it was cold)
        self.region_end = None  # monotonic time the last region ended
        self.doubt_probe = False  # ... and that region was a return to parallel
        self.to_blas = 0  # calls handed to BLAS by own_contention()
        self.to_tiles = 0  # automatic BLAS calls run on the tiles because others_busy()

    def snapshot(self):
        return dict(forked=self.forked, serial=self.serial_since is not None, hold=self.hold,
                    width=self.width, probing=self.probing, last_gain=self.last_gain, regions=self.regions,
                    contended=self.contended, to_blas=self.to_blas, to_tiles=self.to_tiles)


state = _State()


def _after_fork_in_child():
    global _region
    _region = threading.Lock()
    _load[:] = None, False  # the child's CPU time starts again
    try:
        from numba.np.ufunc import parallel

        started = bool(getattr(parallel, "_is_initialized", True))
    except Exception:  # pragma: no cover - Numba internals moved: be safe
        started = True
    state.forked = state.forked or started


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# --------------------------------------------------------------------------- caps


class thread_limit(contextlib.ContextDecorator):
    """Cap the threads batchdot's kernels use, process-wide (``None`` removes the cap).

    Takes effect at once and stays until changed; used as a context manager (or decorator)
    the previous cap is restored on exit.  It never changes Numba's own setting, so the
    user's own ``parallel=True`` functions are not affected::

        batchdot.thread_limit(1)            # batchdot serial from now on
        with batchdot.thread_limit(2):      # at most 2 threads inside the block
            batch_dot(x, y)

    ``numba.set_num_threads`` / ``NUMBA_NUM_THREADS`` cap batchdot too (the smaller wins).
    """

    def __init__(self, n):
        global _limit
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise ValueError(f"batch_dot requires thread_limit to be None or an int >= 1, got {n!r}")
        self._previous, _limit = _limit, n

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global _limit
        _limit = self._previous
        return False


def get_thread_limit():
    """batchdot's own thread cap (:class:`thread_limit`), or None."""
    return _limit


_numba_threads = None


def _numba_num_threads():
    """``numba.get_num_threads()`` for the calling thread, without its 2 us of checks."""
    global _numba_threads
    if _numba_threads is None:
        import numba
        from numba.np.ufunc import parallel

        numba.get_num_threads()  # launches the threading layer once
        _numba_threads = getattr(parallel, "_get_num_threads", None) or numba.get_num_threads
    return _numba_threads()


# --------------------------------------------------------------------------- the machine

try:
    _CPUS = sorted(os.sched_getaffinity(0))
except (AttributeError, OSError):  # pragma: no cover - not Linux
    _CPUS = list(range(os.cpu_count() or 1))
try:
    _TICK = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):  # pragma: no cover
    _TICK = 100


def _idle_seconds():
    """Idle CPU-seconds of the CPUs this process may use, from /proc/stat; None if unreadable."""
    try:
        with open("/proc/stat", "rb") as f:
            lines = f.read().split(b"\n")
    except OSError:
        return None
    wanted = {b"cpu%d" % c for c in _CPUS}
    idle = 0
    for line in lines[1:]:
        if not line.startswith(b"cpu"):
            break
        fields = line.split()
        if fields[0] in wanted:
            idle += int(fields[4]) + int(fields[5])  # idle + iowait
    return idle / _TICK


def _take_sample():
    idle = _idle_seconds()
    if idle is None:
        return None
    return time.monotonic(), idle, time.thread_time(), threading.get_ident(), time.process_time()


def _free_cores(old, new):
    """Cores that were idle or busy with this process's other threads between two samples,
    not counting the caller's own idle time.

    This process's other threads count as free: they are NumPy's BLAS threads spinning
    after a ``np.matmul`` (or the user's), which a return to parallel meets again, and
    :func:`own_contention` hands products to BLAS meanwhile; only a probe tells.
    """
    t0, idle0, th0, tid0, pr0 = old
    t1, idle1, th1, tid1, pr1 = new
    wall = t1 - t0
    if wall <= 0:
        return None
    idle = (idle1 - idle0) / wall
    caller_busy = min((th1 - th0) / wall if tid0 == tid1 else 1.0, 1.0)
    ours = max(0.0, (pr1 - pr0) / wall - caller_busy)
    return idle + ours - (1.0 - caller_busy)


def _width_after_contention(now, cap):
    """While serial: 1 to stay serial, or the threads to return to parallel with.

    Called by any thread without a lock: it reads the shared state once into locals (another
    thread's verdict may reset it meanwhile; the worst outcome is one sample too many).
    """
    s = state
    since, old = s.serial_since, s.sample
    if since is None or now - since < SETTLE:
        return 1
    if old is None:
        s.sample = _take_sample()
        if s.sample is None:  # no /proc/stat: retry parallel after the hold
            return cap if now - since >= s.hold else 1
        return 1
    if now - old[0] < s.hold:
        return 1
    new = _take_sample()
    s.sample = new
    free = None if new is None else _free_cores(old, new)
    if free is None or free < 0.75:
        return 1
    return min(cap, 1 + int(free + 0.25))


#: Seconds over which :func:`others_busy` measures the load of other processes.
LOAD_WINDOW = 0.1
#: Cores kept busy by other processes from which :func:`others_busy` says yes.
OTHERS_BUSY = 0.3
_load = [None, False]  # the last look's _take_sample(), and its verdict


def others_busy():
    """Whether other processes kept :data:`OTHERS_BUSY` or more of this process's cores busy.

    Measured over the time since the previous look (at least :data:`LOAD_WINDOW` seconds;
    within it the previous verdict is returned): the cores this process may use, less their
    idle time (``/proc/stat``), less this process's own CPU time (every thread, NumPy's
    BLAS threads included).  False where ``/proc/stat`` cannot be read, and on the first look.
    Calls that may hand a product to BLAS ask this (:func:`batchdot.cpu._blas_or_tiles`): BLAS
    splits a product evenly between its threads, so a core busy with another process makes
    every such call wait for it; the tiles then run under this policy instead.
    """
    now = time.monotonic()
    old, verdict = _load
    if old is not None and now - old[0] < LOAD_WINDOW:
        return verdict
    new = _take_sample()
    if new is None:
        return False
    if old is not None:
        verdict = _others_cores(old, new) >= OTHERS_BUSY
    _load[:] = new, verdict
    return verdict


def _others_cores(old, new):
    """Cores of this process's CPUs that were neither idle nor this process's, between two
    :func:`_take_sample` samples."""
    wall = new[0] - old[0]
    return len(_CPUS) - ((new[1] - old[1]) + (new[4] - old[4])) / wall


# --------------------------------------------------------------------------- per call


def _cap():
    """The caps: ``numba.get_num_threads()`` and :class:`thread_limit`."""
    cap = _numba_num_threads()
    return _limit if _limit is not None and _limit < cap else cap


def own_contention():
    """Whether calls run serially because this process's own threads took the cores.

    True while the policy is serial for measured contention (not for a cap, a fork or a
    foreign parallel region) and no other process keeps a core busy (:func:`others_busy`):
    then the contention is this process's, as when NumPy's BLAS threads spin after a
    ``np.matmul``, and a product BLAS can compute is handed to it (:func:`run`), whose
    threads are awake.
    """
    return (state.serial_since is not None and not state.forked and not serial_here() and _cap() >= 2
            and not others_busy())


def threads(madds, items):
    """Threads for a call of ``madds`` multiply-adds in ``items`` work items (1: serial)."""
    if madds < SERIAL_CUTOFF or items < 2 or state.forked or serial_here():
        return 1
    cap = _cap()
    if cap < 2:
        return 1
    if state.serial_since is not None:
        n = _width_after_contention(time.monotonic(), cap)
        if n < 2:
            return 1
        state.serial_since = None
        state.probing = True
        state.width, state.parallel_since = n, time.monotonic()
    elif state.width is not None:
        if time.monotonic() < state.parallel_since + HOLD_MAX:
            cap = min(cap, state.width)
        else:
            state.width = None
    return min(cap, items)


# --------------------------------------------------------------------------- jitted callers

_here = threading.local()
_omp_in_parallel = None


def _openmp_in_parallel():
    """``omp_in_parallel()`` of the OpenMP runtime Numba's ``omp`` layer loaded (False if none)."""
    global _omp_in_parallel
    if _omp_in_parallel is None:
        import ctypes
        import re

        _omp_in_parallel = lambda: 0  # noqa: E731
        try:
            with open("/proc/self/maps") as f:
                libs = re.findall(r"(/\S*lib[gi]omp[^/\s]*\.so[^/\s]*)$", f.read(), re.M)
            if libs:
                _omp_in_parallel = ctypes.CDLL(libs[0]).omp_in_parallel
        except (OSError, AttributeError):  # pragma: no cover - no /proc or no such symbol
            pass
    return bool(_omp_in_parallel())


def in_foreign_region():
    """Whether this thread may be inside a parallel region batchdot did not start (a user's
    ``prange`` calling ``batch_dot`` from ``@njit`` code), as far as the layer can tell.

    ``omp``: OpenMP's ``omp_in_parallel``.  ``workqueue`` cannot tell and aborts the process
    on a nested region, so every call counts as inside.  ``tbb`` nests regions safely in
    its one pool of threads: never.
    """
    layer = threading_layer()
    if layer == "workqueue":
        return True
    return layer == "omp" and _openmp_in_parallel()


def serial_here():
    """Whether calls on this thread must run serially (:func:`jitted_caller`)."""
    return getattr(_here, "serial", False)


@contextlib.contextmanager
def jitted_caller():
    """Around a call handed over from jitted code: serial inside a foreign parallel region."""
    previous = getattr(_here, "serial", False)
    _here.serial = previous or in_foreign_region()
    try:
        yield
    finally:
        _here.serial = previous


def _verdict(gain, cold=False):
    """Take a region's measured ``gain``; ``cold``: its workers had idled for SETTLE or more."""
    s = state
    probe, s.probing = s.probing, False
    s.regions += 1
    s.last_gain = gain
    if gain < 0:  # no cycle counter here: nothing measured
        return
    if gain >= GAIN_MIN:  # (the hold stays: only a parallel stint that outlasts it resets it)
        s.doubt = s.doubt_probe = False
        return
    if (gain >= GAIN_CLEAR or cold) and not s.doubt:  # once: a late worker, or contention starting
        s.doubt, s.doubt_probe = True, probe
        return
    probe = probe or s.doubt_probe
    s.doubt = s.doubt_probe = False
    s.contended += 1
    now = time.monotonic()
    # a return to parallel that failed at once, or a parallel stint shorter than the hold
    # (contention that comes and goes faster: NumPy's BLAS threads spinning after each of a
    # loop's np.matmul, ``2026-12-06-1934-policy-hold-ab.txt``): the hold doubles; else it starts again
    short = s.parallel_since is not None and now - s.parallel_since < s.hold
    s.hold = min(s.hold * 2, HOLD_MAX) if probe or short else HOLD_MIN
    s.serial_since = now
    s.sample = None


def run(span, parallel, items, madds, x, y, out, zero, blas=None):
    """Run one kernel call: ``span`` serially or ``parallel`` on the threads :func:`threads` gives.

    ``blas(x, y, out)``, where given, computes the call instead of the serial span while
    :func:`own_contention` holds.
    """
    n = threads(madds, items)
    if n < 2 or not _region.acquire(False):
        if blas is not None and n < 2 and own_contention():
            state.to_blas += 1
            blas(x, y, out)
        else:
            span(x, y, out, zero, 0, items)
        return
    try:
        start = time.monotonic()
        gain = _call_with_threads(parallel, n, (x, y, out, zero, min(items, n * CHUNKS_PER_THREAD), n))
        last, state.region_end = state.region_end, time.monotonic()
        cold = last is None or start - last >= SETTLE
        group = getattr(_here, "group", None)
        if group is None:
            _verdict(gain, cold)
        elif gain >= 0:
            group.append((gain, state.region_end - start, cold))
    finally:
        _region.release()


@contextlib.contextmanager
def one_call():
    """Around the several kernel calls of one ``batch_dot`` call (a product split into
    sub-products): their regions give the policy one verdict, their gains weighted by their
    durations, when the last one ends.  Each region's verdict would be one more chance for a
    short region's late worker to look like contention (a split product of 27-58 regions of
    50-200 us doubled the hold to 1 s on an idle machine)."""
    if getattr(_here, "group", None) is not None:  # nested: the outer one gives the verdict
        yield
        return
    _here.group = group = []
    try:
        yield
    finally:
        _here.group = None
        if group:
            wall = sum(w for _, w, _ in group)
            gain = sum(g * w for g, w, _ in group) / wall if wall > 0 else group[-1][0]
            with _region:
                _verdict(gain, group[0][2])


def run_exclusive(fn, n, args):
    """``fn(*args)`` on at most ``n`` threads, waiting for any other batchdot region to end.

    For the first-build verification, which must run the parallel driver it approves.
    """
    with _region:
        return _call_with_threads(fn, max(1, min(n, _numba_num_threads())), args)


def _call_with_threads(fn, n, args):
    """``fn(*args)`` with Numba's thread count for this thread set to ``n`` (then restored)."""
    current = _numba_num_threads()
    if n == current:
        return fn(*args)
    import numba

    numba.set_num_threads(n)
    try:
        return fn(*args)
    finally:
        numba.set_num_threads(current)


def threading_layer():
    """Numba's threading layer, starting it if needed (``omp``, ``tbb`` or ``workqueue``)."""
    import numba

    with _layer_lock:
        numba.get_num_threads()  # launches the threads
        return numba.threading_layer()
