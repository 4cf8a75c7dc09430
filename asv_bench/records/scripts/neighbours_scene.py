"""Neighbours of the bench's workloads (other sizes of the same kinds of products): batch_dot
against NumPy's best of matmul and einsum (optimize=True) in a scene (idle, busy or pipeline),
medians of interleaved repeats, float32 and float64.  Looks for the rows a user's own sizes
would find below NumPy.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/neighbours_scene.py [scene]"""
import sys

import numpy as np

import batchdot
from batchdot.bench.cpu import _in_scene, _median_interleaved, scene_setting

rng = np.random.default_rng(0)
scene = sys.argv[1] if len(sys.argv) > 1 else "idle"
a, w = (rng.standard_normal((384, 384), dtype=np.float32) for _ in range(2))
# name: x shape, y shape, axes, einsum spelling, matmul spelling (or None)
CASES = {
    "small16": ((20000, 16, 16), (20000, 16, 16), None, "bik,bkj->bij", lambda x, y: np.matmul(x, y)),
    "small24": ((8000, 24, 24), (8000, 24, 24), None, "bik,bkj->bij", lambda x, y: np.matmul(x, y)),
    "small48": ((1500, 48, 48), (1500, 48, 48), None, "bik,bkj->bij", lambda x, y: np.matmul(x, y)),
    "small64": ((800, 64, 64), (800, 64, 64), None, "bik,bkj->bij", lambda x, y: np.matmul(x, y)),
    "med128": ((64, 128, 128), (64, 128, 128), None, "bik,bkj->bij", lambda x, y: np.matmul(x, y)),
    "large256": ((32, 256, 256), (32, 256, 256), None, "bik,bkj->bij", lambda x, y: np.matmul(x, y)),
    "rowdot16": ((400000, 16), (400000, 16), 1, "bk,bk->b", lambda x, y: np.matmul(x[:, None, :], y[:, :, None])[:, 0]),
    "rowdot256": ((50000, 256), (50000, 256), 1, "bk,bk->b", lambda x, y: np.matmul(x[:, None, :], y[:, :, None])[:, 0]),
    "vecmat128": ((5000, 128), (5000, 64, 128), (1, 2), "bk,bnk->bn",
                  lambda x, y: np.matmul(y, x[:, :, None])[:, :, 0]),
    "matvec": ((5000, 64, 128), (5000, 128), (2, 1), "bmk,bk->bm", lambda x, y: np.matmul(x, y[:, :, None])[:, :, 0]),
    "midaxis32": ((8192, 64, 32), (8192, 64, 32), (1, 1), "bkm,bkn->bmn", lambda x, y: np.matmul(x.transpose(0, 2, 1), y)),
    "qkt": ((512, 64, 32), (512, 64, 32), (2, 2), "bik,bjk->bij", lambda x, y: np.matmul(x, y.transpose(0, 2, 1))),
    "squash2": ((128, 8, 6, 7), (128, 8, 7, 10), None, "bijk,bmkl->bijml", None),
}


def run():
    print(f"scene {scene}", flush=True)
    ratios = []
    for name, (xs, ys, axes, spec, mm) in CASES.items():
        for dt in (np.float32, np.float64):
            x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
            peers = {"einsum": lambda: np.einsum(spec, x, y, optimize=True)}
            if mm is not None:
                peers["matmul"] = lambda: mm(x, y)
            got = batchdot.batch_dot(x, y, axes)
            np.testing.assert_allclose(got, peers["einsum"]().reshape(got.shape), rtol=1e-3, atol=1e-2)
            fns = [lambda: batchdot.batch_dot(x, y, axes), *peers.values()]
            ts = _median_interleaved([_in_scene(f, scene, lambda: np.matmul(a, w)) for f in fns], 9, 2.0)
            best = min(range(1, len(ts)), key=lambda i: ts[i])
            ratios.append(ts[best] / ts[0])
            print(f"  {name:10s} {np.dtype(dt).name:8s} batchdot {ts[0] * 1e6:9.1f} us  {list(peers)[best - 1]:6s} "
                  f"{ts[best] * 1e6:9.1f}  ratio {ts[best] / ts[0]:5.2f}", flush=True)
    print(f"# scene {scene}: geometric mean {np.exp(np.mean(np.log(ratios))):.2f}, min {min(ratios):.2f}, "
          f"below 1.0: {sum(r < 1 for r in ratios)} of {len(ratios)}")


with scene_setting(scene):
    run()
