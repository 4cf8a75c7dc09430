"""aligned_operands_iso.py on larger products. One thread: the tiles (tile_span in an @njit loop, the same arrays each repeat: in cache
where they fit) on operands and result whose data start on a cache line ("al64"), 16 bytes
past one ("off16": where NumPy's allocations usually start), with only the result aligned
("out64") or only y ("y64"); microseconds, medians of 9 interleaved repeats.
Run (in scripts/): NUMBA_NUM_THREADS=1 python aligned_large_iso.py"""
import time, numpy as np, sys
from span_loop import runner
from batchdot.cpu.tiles import tile_span
run = runner(tile_span)
def aligned(shape, dt, off):
    dt = np.dtype(dt); n = int(np.prod(shape)) * dt.itemsize
    buf = np.empty(n + 128, np.uint8)
    a = (-buf.ctypes.data) % 64 + off
    return buf[a:a + n].view(dt).reshape(shape)
rng = np.random.default_rng(0)
CASES = [((16, 512, 512), (16, 512, 512)), ((64, 256, 256), (64, 256, 256)), ((256, 128, 128), (256, 128, 128)), ((1000, 64, 64), (1000, 64, 64))]
for dt in ["float32", "float64"]:
  for xs, ys in CASES:
    B = xs[0]; M, K = xs[1], xs[2]; N = ys[2]
    res = {}
    X, Y = rng.standard_normal(xs), rng.standard_normal(ys)
    for name, (ox, oy, oo) in [("al64", (0, 0, 0)), ("off16", (16, 16, 16)), ("out64", (16, 16, 0)), ("y64", (16, 0, 16))]:
        x = aligned(xs, dt, ox); x[...] = X
        y = aligned(ys, dt, oy); y[...] = Y
        o = aligned((B, M, N), dt, oo)
        res[name] = (x, y, o)
    reps = max(1, int(3e7 // (B * M * N * K)))
    ts = {k: [] for k in res}
    for k, (x, y, o) in res.items(): run(x, y, o, o.dtype.type(0), 1)
    for _ in range(9):
        for k, (x, y, o) in res.items():
            t = time.perf_counter(); run(x, y, o, o.dtype.type(0), reps); ts[k].append((time.perf_counter() - t) / reps)
    m = {k: np.median(v) * 1e6 for k, v in ts.items()}
    print(dt, xs, ys, " ".join(f"{k} {v:.1f}us" for k, v in m.items()), f"al64/off16 speed {m['off16']/m['al64']:.2f}", flush=True)
