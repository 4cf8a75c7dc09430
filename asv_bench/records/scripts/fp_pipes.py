"""Throughput of vector multiplies, adds, both mixed, and fused multiply-adds on one thread.

    python asv_bench/records/scripts/fp_pipes.py

The tiles multiply and add in separate instructions (no FMA: an overflowing product must stay
inf so that inf - inf gives NaN, as NumPy's ``(x * y).sum()``).  Their compute ceiling is
therefore the "mix" rate (one multiply and one add per multiply-add), not the FMA peak that
BLAS GEMM runs at.  12 independent chains of one 8-lane float32 vector each (10 for FMA),
SLP-vectorised scalars as in the bench's FMA peak; best of 5 runs of 2e7 steps.
"""
import time

import numpy as np
from numba import njit
from numba.core import config

config.SLP_VECTORIZE = 1
W = 8


def build(kind, nchains):
    src = ["def f(out, a, b, reps):"]
    src += [f"    c{j} = out[{j}]" for j in range(nchains * W)]
    src += ["    for r in range(reps):"]
    for j in range(nchains * W):
        if kind == "mul":
            src.append(f"        c{j} = c{j} * a")
        elif kind == "add":
            src.append(f"        c{j} = c{j} + b")
        elif kind == "mix":  # half the chains multiply, half add
            src.append(f"        c{j} = c{j} * a" if (j // W) % 2 == 0 else f"        c{j} = c{j} + b")
        else:
            src.append(f"        c{j} = c{j} * a + b")
    src += [f"    out[{j}] = c{j}" for j in range(nchains * W)]
    ns = {}
    exec("\n".join(src), ns)
    return njit(fastmath={"contract"} if kind == "fma" else False)(ns["f"])


for kind, n in [("mul", 12), ("add", 12), ("mix", 12), ("fma", 10)]:
    f = build(kind, n)
    out = np.linspace(0.5, 1, n * W).astype(np.float32)
    reps = 20_000_000
    args = (np.float32(0.9999999), np.float32(1e-7))
    f(out, *args, 10)
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        f(out, *args, reps)
        ts.append(time.perf_counter() - t)
    ops = n * reps / min(ts) / 1e9
    flops = ops * W * (2 if kind == "fma" else 1)
    print(f"{kind}: {ops:.2f} G vector instructions/s = {flops:.1f} GFLOP/s float32")
