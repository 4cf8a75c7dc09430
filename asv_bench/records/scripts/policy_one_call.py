"""What split products (``cpu._runner_split``: 27 and 58 kernel calls a call) do to the parallel
policy's state, and to the calls after them: with ``policy.one_call`` (MODE grouped: the call's
regions give one verdict) or without it (MODE each: every region a verdict, as before it).
The working tree against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py),
float32, medians of 31 interleaved repeats; each line then the policy states of both trees
(contended: regions that sent the calls serial; hold: the serial hold in seconds).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/policy_one_call.py MODE"""
import contextlib
import sys
import time

import numpy as np

import batchdot
import batchdot_old
import batchdot_old.cpu.policy as old_policy
from batchdot.cpu import policy

if sys.argv[1] == "each":
    policy.one_call = contextlib.nullcontext
rng = np.random.default_rng(0)


def bench(xs, ys, axes, reps=31):
    x, y = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ys).astype(np.float32)
    fns = {"new": lambda: batchdot.batch_dot(x, y, axes), "old": lambda: batchdot_old.batch_dot(x, y, axes)}
    for f in fns.values():
        f()
    ts = {k: [] for k in fns}
    for r in range(reps):
        for k, f in (list(fns.items()) if r % 2 else list(fns.items())[::-1]):
            t0 = time.perf_counter()
            f()
            ts[k].append(time.perf_counter() - t0)
    m = {k: float(np.median(v)) * 1e3 for k, v in ts.items()}
    s, o = policy.state.snapshot(), old_policy.state.snapshot()
    print(f"{str(xs):18s} {str(ys):18s} new {m['new']:7.3f} ms old {m['old']:7.3f} ms  old/new {m['old'] / m['new']:5.2f}"
          f"   new: contended {s['contended']:2d} hold {s['hold']:.2f}   old: contended {o['contended']:2d} hold {o['hold']:.2f}",
          flush=True)


print(f"mode {sys.argv[1]}")
for case in [((19, 47, 268, 2), (19, 268, 17), (2, 1)), ((51, 27, 18, 144), (51, 20, 18), (2, 2)),
             ((19, 47, 268, 2), (19, 268, 17), (2, 1)), ((131, 368), (131, 58, 368, 2), (1, 2)),
             ((19, 47, 268, 2), (19, 268, 17), (2, 1)), ((51, 27, 18, 144), (51, 20, 18), (2, 2)),
             ((19, 47, 268, 2), (19, 268, 17), (2, 1))]:
    bench(*case)
