"""Tiny calls in spellings the short key does not take (NumPy-integer or array axes, a list,
an ndarray subclass, ``device='cpu'``), the working tree against an earlier one
(``batchdot_old`` on PYTHONPATH, as for tree_ab.py): ns a call, medians of 21 interleaved
rounds of 2000 calls, beside the plain spelling and NumPy's ``einsum``.
``busy`` as the argument: one core kept busy by a spinning process.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/call_forms_ab.py [busy]"""
import tempfile

import sys

import numpy as np

import batchdot
import batchdot_old
from interleave import in_scene, medians

rng = np.random.default_rng(0)
x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
mm = np.lib.format.open_memmap(tempfile.mkdtemp() + "/x.npy", mode="w+", dtype=x.dtype, shape=x.shape)
mm[...] = x
FORMS = {"axes=1": ((x, y, 1), {}), "axes=np.int64(1)": ((x, y, np.int64(1)), {}),
         "axes=np.array([1, 1])": ((x, y, np.array([1, 1])), {}), "x a list": ((x.tolist(), y, 1), {}),
         "x a np.memmap": ((mm, y, 1), {}), "device='cpu'": ((x, y, 1), {"device": "cpu"}),
         "dtype=np.float64": ((x, y, 1), {"dtype": np.float64})}
N = 2000

def main():
    print(f"{'call':24s} {'new ns':>9s} {'old ns':>9s}  old/new   (einsum: see last line)")
    for name, (args, kw) in FORMS.items():
        def loop(pkg):
            def g():
                for _ in range(N):
                    pkg.batch_dot(*args, **kw)
            return g

        new, old = medians([loop(batchdot), loop(batchdot_old)], 21, unit=1e-9)
        print(f"{name:24s} {new / N:9.0f} {old / N:9.0f}  {old / new:7.2f}", flush=True)


    def einsum_loop():
        for _ in range(N):
            np.einsum("ij,ij->i", x, y)


    print(f"{'np.einsum':24s} {medians([einsum_loop], 21, unit=1e-9)[0] / N:9.0f}")


in_scene(main, sys.argv[1] if len(sys.argv) > 1 else "idle")
