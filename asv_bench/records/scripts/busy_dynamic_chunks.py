"""With one core kept busy by a spinning process: the bench's workloads on one thread against
two threads that claim chunks dynamically (``chunks.run_chunks``), the parallel policy's
verdicts switched off (``policy.threads`` forced, ``policy._verdict`` ignored), with
CHUNKS_PER_THREAD chunks a thread; and NumPy's best spelling.  Medians of interleaved repeats.
Recorded on commit 40184bc, whose driver claimed chunks dynamically (an atomic counter, reverted
in 07255c5); on later trees the chunks are statically scheduled again.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/busy_dynamic_chunks.py [CHUNKS_PER_THREAD ...]"""
import sys
import time

import numpy as np

import batchdot
from batchdot.bench.cpu import busy_core
from batchdot.cpu import policy

rng = np.random.default_rng(0)
WL = {
    "small8": ((50000, 8, 8), (50000, 8, 8), None, lambda x, y: np.matmul(x, y)),
    "small32": ((4000, 32, 32), (4000, 32, 32), None, lambda x, y: np.matmul(x, y)),
    "midaxis": ((8192, 64, 16), (8192, 64, 16), (1, 1), lambda x, y: np.matmul(x.transpose(0, 2, 1), y)),
    "squash": ((64, 12, 4, 5), (64, 12, 5, 8), None,
               lambda x, y: np.matmul(x.reshape(64, 48, 5), y.transpose(0, 2, 1, 3).reshape(64, 5, 96))),
    "vecmat": ((10000, 64), (10000, 32, 64), (1, 2), lambda x, y: np.einsum("bk,bnk->bn", x, y)),
    "rowdot": ((200000, 64), (200000, 64), 1, lambda x, y: np.einsum("bk,bk->b", x, y)[:, None]),
}
per_thread = [int(a) for a in sys.argv[1:]] or [4, 16]
real_threads = policy.threads
forced = [1]
policy.threads = lambda madds, items: min(forced[0], real_threads(madds, items)) if forced[0] == 1 else (
    1 if madds < policy.SERIAL_CUTOFF or items < 2 else min(forced[0], items))
policy._verdict = lambda gain, cold=False: None

with busy_core():
    for name, (xs, ys, axes, spell) in WL.items():
        for dt in (np.float32, np.float64):
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            runs = {"1 thread": (1, 4)} | {f"2 threads {c}/thread": (2, c) for c in per_thread}

            def call(threads, chunks):
                forced[0], policy.CHUNKS_PER_THREAD = threads, chunks
                batchdot.batch_dot(x, y, axes)

            fns = {k: (lambda t=t, c=c: call(t, c)) for k, (t, c) in runs.items()} | {"numpy": lambda: spell(x, y)}
            for f in fns.values():
                f()
            t0 = time.perf_counter()
            fns["1 thread"]()
            reps = max(7, min(41, int(0.6 / max(time.perf_counter() - t0, 1e-6))))
            ts = {k: [] for k in fns}
            for r in range(reps):
                for k, f in (list(fns.items()) if r % 2 == 0 else list(fns.items())[::-1]):
                    t0 = time.perf_counter()
                    f()
                    ts[k].append(time.perf_counter() - t0)
            m = {k: float(np.median(v)) * 1e3 for k, v in ts.items()}
            print(f"{name:8s} {np.dtype(dt).name:8s} " + "  ".join(f"{k} {v:8.3f} ms" for k, v in m.items())
                  + "   vs 1 thread: " + " ".join(f"{m['1 thread'] / m[k]:.2f}" for k in list(runs)[1:])
                  + f"   numpy/best {m['numpy'] / min(m[k] for k in runs):.2f}", flush=True)
