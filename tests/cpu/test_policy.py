"""The parallel policy: caps, contention state, fork, multiprocessing, threading layers.

Real processes throughout (fork, ``multiprocessing`` pools, one interpreter per threading
layer); speed is the bench's business (``python -m batchdot bench --busy / --pipeline``).
"""

import os
import subprocess
import sys
import textwrap
import threading
import time

import numba
import numpy as np
import pytest

import batchdot
from batchdot import batch_dot
from batchdot.cpu import choose, clock, policy
from batchdot.testing import assert_batch_dot_close

# small8-like products: above the serial cut-off, many work items
BIG = (2000, 8, 8)


def _run_script(body, env=None, timeout=240):
    """Run ``body`` in a fresh interpreter; return its completed process (never hangs the suite)."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(body)], env=full_env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def fresh_state(monkeypatch):
    monkeypatch.setattr(policy, "state", policy._State())
    return policy.state


def test_small_work_is_serial_and_large_work_parallel(fresh_state):
    assert policy.threads(policy.SERIAL_CUTOFF - 1, 1000) == 1
    assert policy.threads(1 << 30, 1) == 1  # one work item
    expected = min(numba.get_num_threads(), 1000)
    assert policy.threads(1 << 30, 1000) == (expected if expected > 1 else 1)


def test_numba_set_num_threads_caps_batchdot(fresh_state):
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert policy.threads(1 << 30, 1000) == 1
        rng = np.random.default_rng(0)
        x, y = rng.standard_normal(BIG), rng.standard_normal(BIG)
        assert_batch_dot_close(batch_dot(x, y), x, y)
        assert fresh_state.regions == 0  # no parallel region ran
    finally:
        numba.set_num_threads(old)
    assert numba.get_num_threads() == old


def test_thread_limit_is_a_call_and_a_context_manager(fresh_state):
    assert batchdot.thread_limit is policy.thread_limit
    assert policy.get_thread_limit() is None
    with batchdot.thread_limit(1):
        assert policy.get_thread_limit() == 1
        assert policy.threads(1 << 30, 1000) == 1
        rng = np.random.default_rng(1)
        x, y = rng.standard_normal(BIG), rng.standard_normal(BIG)
        assert_batch_dot_close(batch_dot(x, y), x, y)
        assert fresh_state.regions == 0
    assert policy.get_thread_limit() is None
    try:
        batchdot.thread_limit(1)  # a plain call stays in force
        assert policy.get_thread_limit() == 1
    finally:
        batchdot.thread_limit(None)
    numba_threads = numba.get_num_threads()
    with batchdot.thread_limit(64):  # a cap above Numba's count changes nothing
        assert policy.threads(1 << 30, 1000) == min(numba_threads, 1000)
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError, match="batch_dot requires thread_limit"):
            batchdot.thread_limit(bad)
    assert numba.get_num_threads() == numba_threads  # Numba's own setting untouched


def test_low_measured_gain_makes_calls_serial_until_a_core_is_free(fresh_state, monkeypatch):
    if numba.get_num_threads() < 2:
        pytest.skip("needs 2 Numba threads")
    now, idle, free = [100.0], [0.0], [0.0]
    monkeypatch.setattr(policy.time, "monotonic", lambda: now[0])
    # the caller's thread_time stays 0 in this fake: it looks idle, so one idle core is its own
    monkeypatch.setattr(policy, "_take_sample", lambda: (now[0], idle[0], 0.0, 1, 0.0))

    def advance(dt):  # `free` cores idle for dt seconds
        now[0] += dt
        idle[0] += free[0] * dt

    policy._verdict(0.3)  # a region that waited for a core
    assert fresh_state.serial_since == 100.0 and fresh_state.contended == 1
    assert policy.threads(1 << 30, 1000) == 1  # settling
    advance(policy.SETTLE)
    assert policy.threads(1 << 30, 1000) == 1  # first sample taken
    free[0] = 1.0  # only the caller's own core idle
    advance(policy.HOLD_MIN)
    assert policy.threads(1 << 30, 1000) == 1
    free[0] = 2.0  # one more core idle
    advance(policy.HOLD_MIN)
    assert policy.threads(1 << 30, 1000) == 2
    assert fresh_state.serial_since is None and fresh_state.probing
    policy._verdict(0.5)  # the return failed at once: hold doubles
    assert fresh_state.hold == 2 * policy.HOLD_MIN
    hold = fresh_state.hold

    def back_to_parallel():
        free[0] = 2.0
        for _ in range(1000):
            if policy.threads(1 << 30, 1000) == 2:
                return
            advance(policy.HOLD_MIN)
        raise AssertionError("the policy never returned to parallel")

    back_to_parallel()
    policy._verdict(1.9)  # a good region keeps the hold ...
    assert fresh_state.hold == hold
    advance(hold / 4)
    policy._verdict(0.3)  # ... and contention sooner than the hold doubles it
    assert fresh_state.hold == 2 * hold
    back_to_parallel()
    policy._verdict(1.9)
    advance(2 * fresh_state.hold)
    policy._verdict(1.9)
    policy._verdict(0.3)  # a parallel stint that outlasted the hold: it starts again
    assert fresh_state.hold == policy.HOLD_MIN


def test_one_call_gives_its_regions_one_verdict(fresh_state, monkeypatch):
    """The regions of one call's sub-products (``policy.one_call``, nested or not) give one
    verdict when the call ends, their gains weighted by their durations: a short region's
    low gain among long good ones does not send the calls serial, as it does on its own."""
    if numba.get_num_threads() < 2:
        pytest.skip("needs 2 Numba threads")
    now = [100.0]
    monkeypatch.setattr(policy.time, "monotonic", lambda: now[0])
    regions = iter([(1.9, 1.0), (0.3, 0.01), (1.9, 1.0), (1.9, 1.0), (0.3, 0.01)])

    def region(fn, n, args):  # a region of the given gain and duration
        gain, seconds = next(regions)
        now[0] += seconds
        return gain

    monkeypatch.setattr(policy, "_call_with_threads", region)

    def call():
        policy.run(None, None, 1000, 1 << 30, None, None, None, None)

    with policy.one_call():
        call()
        with policy.one_call():
            call()
        assert fresh_state.regions == 0  # no verdict before the call ends
        call()
    assert fresh_state.regions == 1 and fresh_state.serial_since is None and fresh_state.contended == 0
    assert fresh_state.last_gain == pytest.approx((1.9 * 2 + 0.3 * 0.01) / 2.01)
    call()
    call()  # the same short region on its own: serial at once
    assert fresh_state.regions == 3 and fresh_state.contended == 1 and fresh_state.serial_since is not None


def test_a_mild_gain_counts_only_twice_in_a_row(fresh_state):
    """A gain between GAIN_CLEAR and GAIN_MIN (a worker woken late in a short region) sends
    the calls serial only when the next region measures the same; a clear one at once."""
    mild = (policy.GAIN_CLEAR + policy.GAIN_MIN) / 2
    policy._verdict(mild)
    assert fresh_state.serial_since is None and fresh_state.contended == 0
    policy._verdict(1.9)  # a good region in between: the doubt is gone
    policy._verdict(mild)
    assert fresh_state.serial_since is None
    policy._verdict(mild)
    assert fresh_state.serial_since is not None and fresh_state.contended == 1
    fresh_state.serial_since = None
    policy._verdict(policy.GAIN_CLEAR - 0.2)
    assert fresh_state.serial_since is not None and fresh_state.contended == 2
    # a cold region (its workers were asleep) is only a doubt, however low its gain
    fresh_state.serial_since = None
    policy._verdict(0.3, cold=True)
    assert fresh_state.serial_since is None and fresh_state.doubt
    policy._verdict(0.3, cold=False)
    assert fresh_state.serial_since is not None and fresh_state.contended == 3


def test_others_busy_counts_cores_neither_idle_nor_this_processes(monkeypatch):
    n = len(policy._CPUS)
    # 1 s window: n - 1 idle CPU-seconds, this process 0.2 s: 0.8 cores for the others
    assert policy._others_cores((0.0, 10.0, 0.0, 1, 3.0), (1.0, 9.0 + n, 0.0, 1, 3.2)) == pytest.approx(0.8)
    # NumPy's BLAS threads spinning are this process's own time: nobody else's
    assert policy._others_cores((0.0, 10.0, 0.0, 1, 3.0), (1.0, 10.0 + n - 2, 0.0, 1, 5.0)) == pytest.approx(0.0)
    now, idle, ours = [50.0], [0.0], [0.0]
    monkeypatch.setattr(policy, "_load", [None, False])
    monkeypatch.setattr(policy.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(policy.time, "process_time", lambda: ours[0])
    monkeypatch.setattr(policy, "_idle_seconds", lambda: idle[0])
    assert not policy.others_busy()  # first look: nothing measured yet
    now[0] += 2 * policy.LOAD_WINDOW
    idle[0] += (n - 1) * 2 * policy.LOAD_WINDOW  # one core busy, not with this process
    assert policy.others_busy()
    now[0] += policy.LOAD_WINDOW / 2
    idle[0] += n * policy.LOAD_WINDOW / 2
    assert policy.others_busy()  # within the window: the last verdict
    now[0] += policy.LOAD_WINDOW
    idle[0] += n * policy.LOAD_WINDOW
    assert not policy.others_busy()
    monkeypatch.setattr(policy, "_idle_seconds", lambda: None)  # no /proc/stat: never
    now[0] += policy.LOAD_WINDOW
    assert not policy.others_busy()


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs /proc/stat")
def test_products_for_blas_run_on_the_tiles_beside_a_busy_process(caplog):
    """A real spinning process: the automatic ``blas`` choice hands products to the tiles
    (correct results either way); ``kernel='blas'`` stays BLAS."""
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((2, 256, 128)).astype(np.float32), rng.standard_normal((2, 128, 256)).astype(np.float32)
    assert batchdot.cpu.choose.choose_kernel(2, 256, 128, 256, x, y, x.dtype, x.dtype) == "blas"
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with caplog.at_level("DEBUG", logger="batchdot"):
            deadline = time.monotonic() + 20
            while "blas -> tile" not in caplog.text and time.monotonic() < deadline:
                assert_batch_dot_close(batch_dot(x, y), x, y)
                time.sleep(0.02)
            assert "blas -> tile" in caplog.text
            caplog.clear()
            for _ in range(3):
                assert_batch_dot_close(batch_dot(x, y, kernel="blas"), x, y)
                time.sleep(policy.LOAD_WINDOW)
            assert "blas -> tile" not in caplog.text
    finally:
        spin.kill()
        spin.wait()


def test_products_for_the_tiles_go_to_blas_while_this_process_contends(fresh_state, monkeypatch):
    """After a contended region (NumPy's BLAS threads spinning), a float product BLAS computes
    well is handed to BLAS rather than run on one thread; not when another process is the
    cause, not under a cap of one thread, not when forced with kernel='tile', and never a
    product below the hand-over's sizes (choose.blas_handover: BLAS's own, or 2^21
    multiply-adds a batch element with 64+ rows and columns, or 8+ rows and 256+ columns)."""
    if numba.get_num_threads() < 2:
        pytest.skip("needs 2 Numba threads")
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((24, 128, 128)).astype(np.float32), rng.standard_normal((24, 128, 128)).astype(np.float32)
    small = rng.standard_normal((24, 64, 128)).astype(np.float32)  # 2^20 multiply-adds a batch element
    assert choose.HANDOVER_MADDS > 64 * 128 * 128 and choose.HANDOVER_MADDS <= 256 * 64 * 128
    mx, my = rng.standard_normal((4, 256, 64)).astype(np.float32), rng.standard_normal((4, 64, 128)).astype(np.float32)
    # few rows, wide: 16 rows handed over (2^22 multiply-adds), 4 rows not (2^21 all the same)
    fx, fy = rng.standard_normal((4, 16, 512)), rng.standard_normal((4, 512, 512))
    thin, ty = rng.standard_normal((4, 4, 1024)), rng.standard_normal((4, 1024, 512))
    assert 4 * 1024 * 512 >= choose.HANDOVER_MADDS and 4 < choose.HANDOVER_ROWS <= 16
    busy = [False]
    monkeypatch.setattr(policy, "others_busy", lambda: busy[0])
    for _ in range(3):  # past the first calls: the parallel entry is built
        assert_batch_dot_close(batch_dot(x, y), x, y)
        batch_dot(small, y)
        batch_dot(mx, my)
        batch_dot(fx, fy)
        batch_dot(thin, ty)
    n = fresh_state.to_blas  # a loaded machine may have contended already
    policy._verdict(0.3)  # a region that waited for a core
    assert_batch_dot_close(batch_dot(x, y), x, y)
    assert fresh_state.to_blas == n + 1
    policy._verdict(0.3)  # K = 64, below BLAS's own sizes: handed over all the same
    assert_batch_dot_close(batch_dot(mx, my), mx, my)
    assert fresh_state.to_blas == n + 2
    policy._verdict(0.3)  # 16 rows over 512 columns: handed over
    assert_batch_dot_close(batch_dot(fx, fy), fx, fy)
    assert fresh_state.to_blas == n + 3
    policy._verdict(0.3)
    assert_batch_dot_close(batch_dot(thin, ty), thin, ty)
    assert fresh_state.to_blas == n + 3  # 4 rows: the tiles
    n += 1  # the 16-row call
    policy._verdict(0.3)
    batch_dot(x, y, kernel="tile")
    assert_batch_dot_close(batch_dot(small, y), small, y)
    policy._verdict(0.3)
    with batchdot.thread_limit(1):
        batch_dot(x, y)
    busy[0] = True
    policy._verdict(0.3)
    batch_dot(x, y)
    assert fresh_state.to_blas == n + 2  # none of these four
    busy[0] = False
    out = np.empty((24, 128, 128), np.float32)
    for _ in range(3):  # out='s own prepared kernel, whose first call is serial
        policy._verdict(0.3)  # contended again (an idle machine ends it within ~50 ms)
        assert batch_dot(x, y, out=out) is out
        assert_batch_dot_close(out, x, y)
    assert fresh_state.to_blas == n + 4


def test_regions_report_a_gain(fresh_state):
    if numba.get_num_threads() < 2:
        pytest.skip("needs 2 Numba threads")
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((20000, 8, 8)), rng.standard_normal((20000, 8, 8))
    for _ in range(3):
        assert_batch_dot_close(batch_dot(x, y), x, y)
    assert fresh_state.regions >= 1
    assert fresh_state.last_gain is not None and (fresh_state.last_gain > 0 or fresh_state.last_gain == -1.0)


def test_gain_of_a_region():
    gain = numba.njit(lambda stats, wall, nchunks: clock.gain(stats, wall, nchunks))
    stats = np.zeros((3, clock.ROW), np.int64)
    stats[0, :2] = (100, 2)  # 50 cycles a chunk
    stats[1, :2] = (400, 2)  # a slow thread
    stats[2, :2] = (30, 0)  # a thread without a chunk charged: not the fastest
    assert gain(stats, 200, 4) == pytest.approx(1.0)
    assert gain(stats, 400, 4) == pytest.approx(0.5)
    assert gain(stats[1:], 400, 4) == pytest.approx(2.0)  # the fastest thread, whichever row
    assert gain(np.zeros((2, clock.ROW), np.int64), 0, 4) == -1.0  # no wall time
    assert gain(np.zeros((2, clock.ROW), np.int64), 200, 4) == -1.0  # no chunk charged
    assert gain(np.asfortranarray(stats[:, :2]), 200, 4) == pytest.approx(1.0)  # any strides



def test_free_cores_counts_idle_time_less_the_callers():
    # 1 s window, 1.5 idle CPU-seconds, the caller busy 100 %: 1.5 free cores
    assert policy._free_cores((0.0, 10.0, 5.0, 1, 7.0), (1.0, 11.5, 6.0, 1, 8.0)) == pytest.approx(1.5)
    # no idle core, but the other busy one was this process's (NumPy's BLAS threads spinning): free
    assert policy._free_cores((0.0, 10.0, 5.0, 1, 7.0), (1.0, 10.0, 6.0, 1, 9.0)) == pytest.approx(1.0)
    # the caller slept half the time: its idle half is not a free core
    assert policy._free_cores((0.0, 10.0, 5.0, 1, 7.0), (1.0, 11.5, 5.5, 1, 7.5)) == pytest.approx(1.0)
    if os.path.exists("/proc/stat"):
        assert policy._idle_seconds() > 0


def test_concurrent_calls_from_many_threads_are_correct():
    rng = np.random.default_rng(3)
    cases = [(rng.standard_normal((3000, 8, 8)), rng.standard_normal((3000, 8, 8))),
             (rng.standard_normal((500, 32, 17)), rng.standard_normal((500, 17, 32))),
             (rng.standard_normal((64, 12, 4, 5)), rng.standard_normal((64, 12, 5, 8)))]
    errors = []

    def work(i):
        try:
            for _ in range(20):
                x, y = cases[i % len(cases)]
                assert_batch_dot_close(batch_dot(x, y), x, y)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


FORK_CHILD = """
    import os, numpy as np
    from batchdot import batch_dot
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5000, 8, 8)), rng.standard_normal((5000, 8, 8))
    want = np.matmul(x, y)
    for _ in range(3):
        batch_dot(x, y)  # parallel regions in the parent
    pid = os.fork()
    if pid == 0:
        ok = np.allclose(batch_dot(x, y), want) and np.allclose(batch_dot(x[:, :, :5], y[:, :5]), x[:, :, :5] @ y[:, :5])
        os._exit(0 if ok else 3)
    _, status = os.waitpid(pid, 0)
    print("child", os.waitstatus_to_exitcode(status))
    assert np.allclose(batch_dot(x, y), want)  # the parent goes on in parallel
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_forked_child_computes_after_parallel_calls():
    done = _run_script(FORK_CHILD)
    assert done.returncode == 0, done.stderr
    assert "child 0" in done.stdout, done.stdout + done.stderr


POOL = """
    import multiprocessing as mp, numpy as np, sys
    from batchdot import batch_dot

    def job(seed):
        rng = np.random.default_rng(seed)
        x, y = rng.standard_normal((4000, 8, 8)), rng.standard_normal((4000, 8, 8))
        return float(np.abs(batch_dot(x, y) - np.matmul(x, y)).max())

    if __name__ == "__main__":
        rng = np.random.default_rng(9)
        x = rng.standard_normal((4000, 8, 8))
        batch_dot(x, x)  # parallel regions in the parent first
        with mp.get_context(sys.argv[1]).Pool(2) as pool:
            errs = pool.map(job, range(6))
        print("max error", max(errs))
        assert max(errs) < 1e-12
"""


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_multiprocessing_pool_maps_batch_dot(method, tmp_path):
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    script = tmp_path / "pool_job.py"  # spawn/forkserver children import the main module
    script.write_text(textwrap.dedent(POOL))
    done = subprocess.run([sys.executable, str(script), method], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "max error" in done.stdout


LAYER = """
    import threading, numba, numpy as np
    from batchdot import batch_dot
    from batchdot.testing import reference_batch_dot
    rng = np.random.default_rng(5)
    # first calls of several shapes and layouts from 8 threads at once, then repeats
    cases = [(rng.standard_normal((3000, 8, 8)), rng.standard_normal((3000, 8, 8)), None),
             (rng.standard_normal((700, 16, 9)), rng.standard_normal((700, 9, 24)), None),
             (rng.standard_normal((4000, 33)), rng.standard_normal((4000, 33)), 1),
             (rng.standard_normal((900, 20)).astype(np.float32), rng.standard_normal((900, 30, 20)).astype(np.float32), (1, 2)),
             (rng.standard_normal((64, 12, 4, 5)), rng.standard_normal((64, 12, 5, 8)), None)]
    wants = [reference_batch_dot(x, y, a)[0] for x, y, a in cases]
    barrier = threading.Barrier(8)
    bad = []

    def work(i):
        barrier.wait()
        for r in range(6):
            j = (i + r) % len(cases)
            x, y, a = cases[j]
            got = batch_dot(x, y, a)
            if not np.allclose(got, wants[j], rtol=1e-4, atol=1e-4):
                bad.append(j)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print("layer", numba.threading_layer(), "bad", bad)
    assert not bad
"""


def _layers():
    layers = ["workqueue", "omp"]
    try:
        import importlib.util

        if importlib.util.find_spec("tbb") is not None or os.path.exists(os.path.join(sys.prefix, "lib", "libtbb.so.12")):
            layers.append("tbb")
    except ImportError:  # pragma: no cover
        pass
    return layers


@pytest.mark.parametrize("layer", _layers())
def test_concurrent_first_calls_on_every_threading_layer(layer):
    env = {"NUMBA_THREADING_LAYER": layer}
    if layer == "tbb":  # pip's tbb puts libtbb.so.12 in the environment's lib/
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [os.path.join(sys.prefix, "lib"),
                                                               os.environ.get("LD_LIBRARY_PATH")]))
    done = _run_script(LAYER, env=env)
    if done.returncode != 0 and layer != "workqueue" and "No threading layer could be loaded" in done.stderr:
        pytest.skip(f"the {layer} layer cannot be loaded here: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"layer {layer} bad []" in done.stdout
