"""Products split into thin sub-products against their copy, in one process: runners built
with ``choose.SPLIT_SIDE`` = 1 and ``choose.SPLIT_BYTES`` = 0 (in ``cpu`` when recorded) (split whatever the rows and sizes) and
with their own values (the copy), the same operands, medians of interleaved repeats; NumPy's
``einsum`` beside; ``calls``: the split runner's kernel calls.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/split_side_iso.py"""
import numpy as np

from batchdot import cpu, plan
from batchdot.cpu import choose
from batchdot._dtypes import resolve_dtypes
from interleave import medians

rng = np.random.default_rng(0)
side, least = choose.SPLIT_SIDE, choose.SPLIT_BYTES
for xs, ys, axes, spec in [((19, 47, 268, 2), (19, 268, 17), (2, 1), "abkc,akn->abcn"),
                           ((200, 6, 50, 7), (200, 9, 50, 5), (2, 2), "abkc,adke->abcde")]:
    for dt in (np.float32, np.float64):
        x, y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
        p = plan(xs, ys, axes)
        out_dtype, acc = resolve_dtypes(x.dtype, y.dtype)
        runs = {}
        for name, value, size in (("split", 1, 0), ("copy", side, least)):
            choose.SPLIT_SIDE, choose.SPLIT_BYTES = value, size
            runs[name] = cpu.runner(p, x, y, out_dtype, acc, None)
        choose.SPLIT_SIDE, choose.SPLIT_BYTES = side, least
        assert runs["copy"].calls == 1
        fns = {"split": lambda: runs["split"](x, y), "copy": lambda: runs["copy"](x, y),
               "einsum": lambda: np.einsum(spec, x, y, optimize=True)}
        assert np.allclose(fns["split"](), fns["einsum"](), rtol=1e-3, atol=1e-3)
        m = dict(zip(fns, medians(fns.values(), reps=41)))
        print(f"{str(xs):18s} {str(ys):18s} {np.dtype(dt).name:8s} split {m['split']:7.3f} ms  copy {m['copy']:7.3f} ms"
              f"  einsum {m['einsum']:7.3f} ms  split/copy speed {m['copy'] / m['split']:.2f}  calls {runs['split'].calls}", flush=True)
