"""Fortran-ordered row dots (200000, 64) · (200000, 64), axes 1, in the bench's scenes (ms).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/fortran_rowdot_scenes.py

idle; busy (one core kept busy by a spinning process, as ``python -m batchdot bench --busy``);
pipeline (each call right after ``np.matmul`` of a (384, 384) float32 pair, both sides timed
without the matmul, as ``--pipeline``).  batch_dot against NumPy's einsum, medians of 9
interleaved rounds of 3 calls after warm-up.
"""
import subprocess
import sys
import time

import numpy as np

from batchdot import batch_dot

rng = np.random.default_rng(0)
a, w = rng.standard_normal((384, 384)).astype(np.float32), rng.standard_normal((384, 384)).astype(np.float32)


def measure(fs, before=None):
    ts = {k: [] for k in fs}
    for f in fs.values():
        f(), f()
    for _ in range(9):
        for k, f in fs.items():
            total = 0.0
            for _ in range(3):
                if before is not None:
                    before()
                t = time.perf_counter()
                f()
                total += time.perf_counter() - t
            ts[k].append(total / 3)
    return {k: round(float(np.median(v)) * 1e3, 2) for k, v in ts.items()}


for d in ("float32", "float64"):
    x = np.asfortranarray(rng.standard_normal((200000, 64)).astype(d))
    y = np.asfortranarray(rng.standard_normal((200000, 64)).astype(d))
    fs = {"batch_dot": lambda: batch_dot(x, y, 1), "einsum": lambda: np.einsum("bk,bk->b", x, y)}
    r = measure(fs)
    print(d, "idle", r, f"ratio {r['einsum'] / r['batch_dot']:.2f}", flush=True)
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        r = measure(fs)
    finally:
        spinner.kill()
        spinner.wait()
    print(d, "busy", r, f"ratio {r['einsum'] / r['batch_dot']:.2f}", flush=True)
    r = measure(fs, before=lambda: np.matmul(a, w))
    print(d, "pipeline", r, f"ratio {r['einsum'] / r['batch_dot']:.2f}", flush=True)
