"""``batch_dot(x, y, out=out)`` calls in a loop (a preallocated result), the working tree
against an earlier one (``batchdot_old`` on PYTHONPATH, as for tree_ab.py), beside the same
calls without ``out=`` and NumPy's spelling with ``out=``: medians of interleaved repeats
(tiny calls timed 2000 at a time), idle.
``busy`` as the argument: one core kept busy by a spinning process.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/out_calls_ab.py [busy]"""
import sys

import numpy as np

import batchdot
import batchdot_old
from interleave import in_scene, medians

rng = np.random.default_rng(0)
WL = {"tiny mm": ((4, 2, 3), (4, 3, 5), None, lambda x, y, out: np.matmul(x, y, out=out)),
      "tiny row": ((4, 3), (4, 3), 1, lambda x, y, out: np.einsum("ij,ij->i", x, y, out=out[:, 0])),
      "small8": ((50000, 8, 8), (50000, 8, 8), None, lambda x, y, out: np.matmul(x, y, out=out)),
      "small32": ((4000, 32, 32), (4000, 32, 32), None, lambda x, y, out: np.matmul(x, y, out=out)),
      "squash": ((64, 12, 4, 5), (64, 12, 5, 8), None, None),
      "vecmat": ((10000, 64), (10000, 32, 64), (1, 2), lambda x, y, out: np.einsum("bk,bnk->bn", x, y, out=out))}

def main():
    print(f"{'workload':9s} dtype    {'new out=':>10s} {'old out=':>10s} {'new alloc':>10s} {'numpy out=':>10s}   old/new  alloc/out")
    for name, (xs, ys, axes, peer) in WL.items():
        for dt in ("float32", "float64"):
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            out = np.empty_like(batchdot.batch_dot(x, y, axes))
            reps = 2000 if name.startswith("tiny") else 1

            def loop(f):
                def g():
                    for _ in range(reps):
                        f()
                return g

            fns = [loop(lambda: batchdot.batch_dot(x, y, axes, out=out)), loop(lambda: batchdot_old.batch_dot(x, y, axes, out=out)),
                   loop(lambda: batchdot.batch_dot(x, y, axes))]
            if peer is not None:
                fns.append(loop(lambda: peer(x, y, out)))
            t = [v / reps for v in medians(fns, 21, unit=1e-6)] + ([float("nan")] if peer is None else [])
            print(f"{name:9s} {dt:8s} {t[0]:9.2f}u {t[1]:9.2f}u {t[2]:9.2f}u {t[3]:9.2f}u   {t[1] / t[0]:6.2f}  {t[2] / t[0]:8.2f}",
                  flush=True)


in_scene(main, sys.argv[1] if len(sys.argv) > 1 else "idle")
