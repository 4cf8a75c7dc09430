"""What the record scripts of 2026-12-07 share: medians of interleaved repeats, a sweep's
arguments and log-uniform sizes, a record of the runners taken, the busy scene."""
import time

import numpy as np


def medians(fns, reps=31, unit=1e-3):
    """Median time of each function of ``fns`` (a sequence) over ``reps`` rounds, in units of
    ``unit`` seconds (ms by default): each called once first, then once a round, the order
    reversed every other round (the first of a round pays for its place)."""
    fns = list(fns)
    for f in fns:
        f()
    ts = [[] for _ in fns]
    for r in range(reps):
        for i in (range(len(fns)) if r % 2 == 0 else reversed(range(len(fns)))):
            t0 = time.perf_counter()
            fns[i]()
            ts[i].append(time.perf_counter() - t0)
    return [float(np.median(v)) / unit for v in ts]


def log_uniform(rng, lo, hi):
    """An int drawn log-uniformly from ``lo`` to ``hi`` (the sweeps' sizes): ``rng.uniform``
    between the logs, one draw."""
    return int(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def reps_for(fn, budget, low=7, high=41):
    """Rounds for a function that one call of ``fn`` says fit ``budget`` seconds, within ``low`` and ``high``."""
    t0 = time.perf_counter()
    fn()
    return max(low, min(high, int(budget / max(time.perf_counter() - t0, 1e-6))))


def sweep_args(argv):
    """``(seed, count, dtypes, scene)`` of a sweep's command line ``SEED N [DTYPES|-] [SCENE]``
    (dtypes float32 and float64 by default, scene idle)."""
    names = argv[3] if len(argv) > 3 and argv[3] != "-" else "float32,float64"
    return int(argv[1]), int(argv[2]), [np.dtype(d) for d in names.split(",")], argv[4] if len(argv) > 4 else "idle"


def record_calls(module, name, record):
    """Wrap ``module.name`` so that each call whose result is not None appends ``record(args,
    result)`` to the returned list (which runner a product took)."""
    real, seen = getattr(module, name), []

    def spy(*args):
        got = real(*args)
        if got is not None:
            seen.append(record(args, got))
        return got

    setattr(module, name, spy)
    return seen


def in_scene(main, scene):
    """``main()`` in its scene: with one core kept busy by a spinning process for ``busy``."""
    from batchdot.bench.cpu import busy_core

    if scene == "busy":
        with busy_core():
            return main()
    return main()
