"""Each CPU family forced (kernel=None, generic, tile, dot, blas) beside NumPy's einsum and matmul spellings,
on the cases given as a Python list of (x shape, y shape, axes, layout) tuples; layout "CT": y a
transposed view of the same shape (x likewise with "T" first); dtypes as a second argument
(default float32,float64).  Microseconds, medians of interleaved repeats.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/forced_families.py "[((1, 30, 570), (1, 204, 52, 570), (2, 3), 'CC')]"
"""
import sys, numpy as np
from batchdot import batch_dot, plan
from batchdot.bench.cpu import _median_interleaved
from spellings import einsum_spec, matmul_spelling
rng = np.random.default_rng(0)
CASES = eval(sys.argv[1])
DTYPES = sys.argv[2].split(",") if len(sys.argv) > 2 else ["float32", "float64"]
for xs, ys, axes, lay in CASES:
  for dt in DTYPES:
    x = rng.standard_normal(xs).astype(dt); y = rng.standard_normal(ys).astype(dt)
    if lay[0] == "T": x = np.ascontiguousarray(np.swapaxes(x, 1, 2)).swapaxes(1, 2)
    if lay[1] == "T": y = np.ascontiguousarray(np.swapaxes(y, 1, 2)).swapaxes(1, 2)
    spec = einsum_spec(x.ndim, y.ndim, *axes)
    names, fns = [], []
    for k in (None, "generic", "tile", "dot", "blas"):
        try:
            batch_dot(x, y, axes, kernel=k)
        except Exception as e:
            continue
        names.append(str(k)); fns.append(lambda k=k: batch_dot(x, y, axes, kernel=k))
    p = plan(x.shape, y.shape, axes)
    mm = matmul_spelling(x, y, *axes)
    names += ["einsum", "matmul"]; fns += [lambda: np.einsum(spec, x, y, optimize=True), mm]
    ts = _median_interleaved(fns, 7, 3.0)
    print(f"{str(xs):20s}{str(ys):22s}{str(axes):8s}{lay} {dt} B{p.batch} M{p.m} K{p.k} N{p.n} ", "  ".join(f"{n} {t*1e6:.0f}" for n, t in zip(names, ts)), flush=True)
