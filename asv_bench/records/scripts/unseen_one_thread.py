"""Random workloads the bench does not have, both sides on one thread: the kernels' own speed.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
        python asv_bench/records/scripts/unseen_one_thread.py SEED N [DTYPES|-] [old]

Workloads drawn as in ``unseen_sweep.py`` (ranks 2-4, log-uniform sizes, contracted axes
anywhere, now and then a transposed view).  Numba runs on one thread and OpenBLAS must be
limited to one by the environment: what is left is each kernel against NumPy's best spelling
(the fastest of einsum(optimize=True) and the matmul spelling), as in a busy scene where the
parallel policy runs serially.  Medians of interleaved rounds (``_median_interleaved``).  With
``old``, also ``batchdot_old`` (another tree under that name on PYTHONPATH), column ``old``.
"""
import sys

import numba
import numpy as np

from batchdot import batch_dot, plan
from batchdot.bench.cpu import _median_interleaved
import batchdot._api as dispatch
from spellings import draw_unseen, einsum_spec, matmul_spelling, unseen_operand

seed, n = int(sys.argv[1]), int(sys.argv[2])
dtypes = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] != "-" else ["float32", "float64"]
OLD = len(sys.argv) > 4 and sys.argv[4] == "old"
if OLD:
    import batchdot_old
numba.set_num_threads(1)
rng = np.random.default_rng(seed)


def draw():
    return draw_unseen(rng)


def operand(shape, dt):
    return unseen_operand(rng, shape, dt)


ratios = []
for xs, ys, axes, p in [draw() for _ in range(n)]:
    for dt in dtypes:
        x, y = operand(xs, dt), operand(ys, dt)
        spec = einsum_spec(x.ndim, y.ndim, *axes)
        fns = [lambda: batch_dot(x, y, axes), lambda: np.einsum(spec, x, y, optimize=True),
               matmul_spelling(x, y, *axes, p.out_shape)]
        if OLD:
            fns.append(lambda: batchdot_old.batch_dot(x, y, axes))
        ts = _median_interleaved(fns, 7, 2.0, warm=0.02)
        fam = getattr(dispatch._RUNNERS.get(dispatch._runner_key(x, y, axes, None, None)), "family", "?")
        r = min(ts[1:3]) / ts[0]
        ratios.append(r)
        lay = "".join("T" if not a_.flags.c_contiguous else "C" for a_ in (x, y))
        old = f"  old {ts[3] * 1e6:10.1f}  new/old speed {ts[3] / ts[0]:5.2f}" if OLD else ""
        print(f"{str(xs):22s} {str(ys):22s} axes {str(axes):7s} {lay} {dt:8s} {fam:8s} "
              f"batchdot {ts[0] * 1e6:10.1f} us  einsum {ts[1] * 1e6:10.1f}  matmul {ts[2] * 1e6:10.1f}  "
              f"ratio {r:5.2f}{old}", flush=True)
g = np.exp(np.mean(np.log(ratios)))
print(f"# one thread: geometric mean {g:.2f}, min {min(ratios):.2f}, below 1.0: "
      f"{sum(r < 1 for r in ratios)} of {len(ratios)}; below 0.8: {sum(r < 0.8 for r in ratios)}")
