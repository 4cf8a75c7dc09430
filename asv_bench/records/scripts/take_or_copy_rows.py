"""np.take of whole rows against NumPy's copy, for the row sizes around cpu.WHOLE_ROW_BYTES: the
rows of a C-ordered (R, 2, 3, W) array moved to (R, 3, 2, W) order, W elements a row, and a
swapaxes view of 308k rows of 40 bytes; best of 7 repeats of 200 (or 5).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/take_or_copy_rows.py"""
import timeit

import numpy as np

rng = np.random.default_rng(0)
for shape in [(366, 2, 3, 42), (366, 2, 3, 10), (366, 2, 3, 16), (15, 185, 111, 5)]:
    for dt in (np.float32, np.float64):
        a = rng.standard_normal(shape).astype(dt)
        order = (0, 2, 1, 3)
        t = a.transpose(order)
        width = shape[-1]
        idx = np.arange(np.prod(shape[:-1])).reshape(shape[:-1]).transpose(order[:-1]).ravel()
        out = np.empty(t.shape, dt)
        take = lambda: np.take(a.reshape(-1, width), idx, axis=0, out=out.reshape(-1, width), mode="clip")  # noqa: E731
        copy = lambda: np.copyto(out, t)  # noqa: E731
        n = 5 if a.size > 1e6 else 200
        r = {k: min(timeit.repeat(f, number=n, repeat=7)) / n * 1e6 for k, f in (("take", take), ("copy", copy))}
        print(f"{str(shape):18s} {np.dtype(dt).name:8s} rows of {width * a.itemsize:4d} bytes: take {r['take']:9.1f} us"
              f"  NumPy copy {r['copy']:9.1f} us", flush=True)
