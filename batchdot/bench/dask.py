"""Scaling of :func:`batchdot.dask.batch_dot` from one to two (or more) worker processes.

Run ``python -m batchdot.bench.dask`` (needs the ``dask`` extra).  For each worker count a
``distributed.LocalCluster`` of single-threaded worker processes (``NUMBA_NUM_THREADS=1``
each, so one worker process uses one core) is started, a fixed workload is generated on
the workers from a seeded generator and persisted, one untimed run loads the compiled
kernels, and then ``batch_dot(x, y).sum()`` is timed a few times; the median is reported.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import time


def run(n_workers, shape, chunk, repeats, seed=0):
    """Wall times (s) of ``batch_dot(x, y).sum().compute()`` on ``n_workers`` processes.

    Also returns the number of batch_dot block tasks each worker ran per computation.
    """
    import dask.array as da
    from distributed import Client, LocalCluster, get_task_stream, wait

    from ..dask import batch_dot

    B, M, K, N = shape
    with LocalCluster(
        n_workers=n_workers, processes=True, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=":0", env={"NUMBA_NUM_THREADS": "1"},  # any free port: two clusters may run at once
    ) as cluster, Client(cluster) as client:
        rng = da.random.default_rng(seed)
        x = rng.standard_normal((B, M, K), chunks=(chunk, M, K)).persist()
        y = rng.standard_normal((B, K, N), chunks=(chunk, K, N)).persist()
        wait([x, y])
        r = batch_dot(x, y).sum()
        value = r.compute()  # warm-up: workers load the compiled kernels
        times = []
        with get_task_stream(client) as stream:
            for _ in range(repeats):
                t0 = time.perf_counter()
                again = r.compute()
                times.append(time.perf_counter() - t0)
                assert again == value or abs(again - value) <= 1e-9 * abs(value)
        per_worker = collections.Counter(
            t["worker"] for t in stream.data if t["key"][0].startswith("batch_dot")
        )
        return times, sorted(n // repeats for n in per_worker.values())


def _spin(units, shape, barrier, results):
    """Child process: ``units`` NumPy batch_dot calls (one per batch chunk), after a barrier."""
    import numpy as np

    from .. import batch_dot

    B, M, K, N = shape
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((B, M, K)), rng.standard_normal((B, K, N))
    batch_dot(x, y)  # load the compiled kernels
    barrier.wait()
    t0 = time.perf_counter()
    for _ in range(units):
        batch_dot(x, y)
    results.put(time.perf_counter() - t0)


def machine_parallelism(shape, units, repeats):
    """Speed-up of 2 plain processes over 1 on the same total work (no Dask): the control.

    On an idle machine with two free cores this is close to 2; on a loaded one it shows how
    much parallel capacity there was to gain.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    speedups = []
    for _ in range(repeats):
        walls = []
        for procs in (1, 2):
            barrier, results = ctx.Barrier(procs), ctx.Queue()
            ps = [ctx.Process(target=_spin, args=(units // procs, shape, barrier, results))
                  for _ in range(procs)]
            for p in ps:
                p.start()
            walls.append(max(results.get(timeout=600) for _ in ps))
            for p in ps:
                p.join()
        speedups.append(walls[0] / walls[1])
    return statistics.median(speedups)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m batchdot.bench.dask", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per worker count (default 5)")
    parser.add_argument("--shape", default="1024,64,256,64", help="B,M,K,N (default 1024,64,256,64)")
    parser.add_argument("--chunk", type=int, default=32, help="batch chunk (default 32)")
    parser.add_argument("--control-repeats", type=int, default=3,
                        help="repeats of the no-Dask 1-vs-2-process control (0 skips it; default 3)")
    args = parser.parse_args(argv)
    shape = tuple(int(s) for s in args.shape.split(","))
    B, M, K, N = shape
    gflop = 2 * B * M * N * K / 1e9
    mb = 8 * B * K * (M + N) / 1e6
    print(f"batch_dot (B={B}, M={M}, K={K}) x (B={B}, K={K}, N={N}) float64, {mb:.0f} MB of input, "
          f"{gflop:.2f} GFLOP, batch chunks of {args.chunk} ({B // args.chunk} tasks), "
          f"median of {args.repeats}")
    load = " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"{os.cpu_count()} CPUs, load average before: {load}")
    print(f"{'workers':>8} {'median s':>9} {'min s':>7} {'GFLOP/s':>8} {'speed-up':>8}  tasks per worker")
    base = None
    for n in (int(w) for w in args.workers.split(",")):
        times, tasks = run(n, shape, args.chunk, args.repeats)
        med = statistics.median(times)
        base = base or med
        print(f"{n:>8} {med:>9.3f} {min(times):>7.3f} {gflop / med:>8.2f} {base / med:>8.2f}  {tasks}", flush=True)
    if hasattr(os, "getloadavg"):
        print("load average after: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    if args.control_repeats:
        # the same block work in 1 vs 2 plain processes, without Dask: what the machine allowed
        saved = os.environ.get("NUMBA_NUM_THREADS")
        os.environ["NUMBA_NUM_THREADS"] = "1"  # inherited by the spawned children
        try:
            units = max(2, 2 * (B // args.chunk // 2))
            control = machine_parallelism((args.chunk, M, K, N), units, args.control_repeats)
        finally:
            if saved is None:
                del os.environ["NUMBA_NUM_THREADS"]
            else:
                os.environ["NUMBA_NUM_THREADS"] = saved
        print(f"control, no Dask: 2 plain processes vs 1 on the same block work "
              f"(median of {args.control_repeats}): {control:.2f}x speed-up")


if __name__ == "__main__":
    main()
