"""Medians of interleaved repeats: the timing loop the record scripts of 2026-12-07 share."""
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


def reps_for(fn, budget, low=7, high=41):
    """Rounds for a function that one call of ``fn`` says fit ``budget`` seconds, within ``low`` and ``high``."""
    t0 = time.perf_counter()
    fn()
    return max(low, min(high, int(budget / max(time.perf_counter() - t0, 1e-6))))
