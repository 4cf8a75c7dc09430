"""np.matmul (OpenBLAS) with operands and result on a cache line ("al64"), 16 bytes past one
("off16"), or only the result aligned ("out64"); microseconds, medians of 7.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/aligned_matmul.py"""
import time, numpy as np
def aligned(shape, dt, off):
    dt = np.dtype(dt); n = int(np.prod(shape)) * dt.itemsize
    buf = np.empty(n + 128, np.uint8)
    a = (-buf.__array_interface__["data"][0]) % 64 + off
    return buf[a:a + n].view(dt).reshape(shape)
rng = np.random.default_rng(0)
for dt in ["float32", "float64"]:
  for xs, ys in [((64, 48, 5), (64, 5, 96)), ((16, 512, 512), (16, 512, 512)), ((4000, 32, 32), (4000, 32, 32))]:
    X, Y = rng.standard_normal(xs).astype(dt), rng.standard_normal(ys).astype(dt)
    res = {}
    for name, (oy, oo) in [("al64", (0, 0)), ("off16", (16, 16)), ("out64", (16, 0))]:
        x = aligned(xs, dt, oy); x[...] = X; y = aligned(ys, dt, oy); y[...] = Y
        res[name] = (x, y, aligned((xs[0], xs[1], ys[2]), dt, oo))
    ts = {k: [] for k in res}
    reps = max(1, int(3e7 // (np.prod(xs) * ys[2])))
    for _ in range(7):
        for k, (x, y, o) in res.items():
            t = time.perf_counter()
            for _ in range(reps): np.matmul(x, y, out=o)
            ts[k].append((time.perf_counter() - t) / reps)
    m = {k: np.median(v) * 1e6 for k, v in ts.items()}
    print(dt, xs, " ".join(f"{k} {v:.1f}us" for k, v in m.items()), flush=True)
