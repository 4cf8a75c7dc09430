"""Random workloads the bench does not have, batchdot against NumPy's best spelling, in a scene.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/unseen_sweep.py SEED N SCENE [DTYPES|-] [matmul]

SCENE is idle, busy (one core kept busy by a spinning process) or pipeline (every call, of both
sides, right after np.matmul of a (384, 384) float32 pair), as in ``python -m batchdot bench``.
Each workload: ranks 2-4, sizes drawn log-uniformly, contracted axes anywhere, operands of
1 KiB to 24 MiB, C order or a transposed view now and then.  NumPy's best is the fastest of
einsum (optimize=True) and one matmul spelling (contracted axis moved last in x and first in
y, reshaped to a stack of matrices; its copies count).  Prints one line per workload with the
ratio NumPy/batchdot (medians of interleaved repeats) and the family batchdot chose.  With
``matmul`` last, only products of stacks of matrices, ``(B, M, K) . (B, K, N)`` with the default
axes, sizes drawn the same way (B up to 20000, M, K, N up to 600).
"""
import sys

import numpy as np

from batchdot import batch_dot, plan
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting
import batchdot._api as dispatch
from spellings import draw_unseen, einsum_spec, matmul_spelling, unseen_operand

seed, n, scene = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
dtypes = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[4] != "-" else ["float32", "float64"]
MATMUL = len(sys.argv) > 5 and sys.argv[5] == "matmul"  # only (B, M, K) . (B, K, N), default axes
rng = np.random.default_rng(seed)


def draw_matmul():
    """A product of stacks of matrices, ``(B, M, K) . (B, K, N)`` with the default axes."""
    while True:
        b, m, k, n = (int(np.exp(rng.uniform(0, np.log(hi)))) for hi in (20000, 600, 600, 600))
        p = plan((b, m, k), (b, k, n), None)
        if all(4 * e <= 24 << 20 for e in (b * m * k, b * k * n, b * m * n)) and b * m * k * n >= 64 and p.flops < 2e9:
            return (b, m, k), (b, k, n), (2, 1), p


def draw():
    return draw_matmul() if MATMUL else draw_unseen(rng)


def operand(shape, dt):
    return unseen_operand(rng, shape, dt)


a = rng.standard_normal((384, 384), dtype=np.float32)
w = rng.standard_normal((384, 384), dtype=np.float32)
mm = lambda: np.matmul(a, w)  # noqa: E731
cases = [draw() for _ in range(n)]
ratios = []


def run():
    for xs, ys, axes, p in cases:
        for dt in dtypes:
            x, y = operand(xs, dt), operand(ys, dt)
            spec = einsum_spec(x.ndim, y.ndim, *axes)
            fns = [lambda: batch_dot(x, y, axes), lambda: np.einsum(spec, x, y, optimize=True),
                   matmul_spelling(x, y, *axes, p.out_shape)]
            got = fns[0]()
            ref = np.einsum(spec, x.astype(np.float64), y.astype(np.float64))
            ref = ref.reshape(got.shape)
            err = float(np.max(np.abs(got - ref), initial=0) / max(np.max(np.abs(ref), initial=0), 1e-300))
            ts = _median_interleaved([_in_scene(f, scene, mm) for f in fns], 9, 3.0)
            fam = getattr(dispatch._RUNNERS.get(dispatch._runner_key(x, y, axes, None, None)), "family", "?")
            r = min(ts[1:]) / ts[0]
            ratios.append(r)
            lay = "".join("T" if not a_.flags.c_contiguous else "C" for a_ in (x, y))
            print(f"{str(xs):22s} {str(ys):22s} axes {str(axes):7s} {lay} {dt:8s} {fam:8s} "
                  f"batchdot {ts[0] * 1e6:10.1f} us  einsum {ts[1] * 1e6:10.1f}  matmul {ts[2] * 1e6:10.1f}  "
                  f"ratio {r:5.2f}  err {err:.1e}", flush=True)


with scene_setting(scene):
    run()
g = np.exp(np.mean(np.log(ratios)))
print(f"# scene {scene}: geometric mean {g:.2f}, min {min(ratios):.2f}, below 1.0: "
      f"{sum(r < 1 for r in ratios)} of {len(ratios)}; below 0.8: {sum(r < 0.8 for r in ratios)}")
