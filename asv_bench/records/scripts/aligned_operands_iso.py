"""One thread: the tiles (tile_span in an @njit loop, the same arrays each repeat: in cache
where they fit) on operands and result whose data start on a cache line ("al64"), 16 bytes
past one ("off16": where NumPy's allocations usually start), with only the result aligned
("out64") or only y ("y64"); microseconds, medians of 9 interleaved repeats.
Run: NUMBA_NUM_THREADS=1 python asv_bench/records/scripts/aligned_operands_iso.py"""
import time

import numpy as np
from span_loop import runner
from batchdot.cpu.tiles import tile_span

CASES = [((64, 48, 5), (64, 5, 96)), ((4000, 32, 32), (4000, 32, 32)), ((50000, 8, 8), (50000, 8, 8)),
         ((16, 256, 256), (16, 256, 256))]


def aligned(shape, dt, off):
    """An empty array of ``shape`` whose data start ``off`` bytes past a cache line."""
    dt = np.dtype(dt)
    n = int(np.prod(shape)) * dt.itemsize
    buf = np.empty(n + 128, np.uint8)
    a = (-buf.ctypes.data) % 64 + off
    return buf[a:a + n].view(dt).reshape(shape)


def measure(cases):
    run = runner(tile_span)
    rng = np.random.default_rng(0)
    for dt in ["float32", "float64"]:
        for xs, ys in cases:
            B, M, K, N = xs[0], xs[1], xs[2], ys[2]
            res = {}
            X, Y = rng.standard_normal(xs), rng.standard_normal(ys)
            for name, (ox, oy, oo) in [("al64", (0, 0, 0)), ("off16", (16, 16, 16)), ("out64", (16, 16, 0)),
                                       ("y64", (16, 0, 16))]:
                x = aligned(xs, dt, ox)
                x[...] = X
                y = aligned(ys, dt, oy)
                y[...] = Y
                res[name] = (x, y, aligned((B, M, N), dt, oo))
            reps = max(1, int(3e7 // (B * M * N * K)))
            ts = {k: [] for k in res}
            for k, (x, y, o) in res.items():
                run(x, y, o, o.dtype.type(0), 1)
            for _ in range(9):
                for k, (x, y, o) in res.items():
                    t = time.perf_counter()
                    run(x, y, o, o.dtype.type(0), reps)
                    ts[k].append((time.perf_counter() - t) / reps)
            m = {k: np.median(v) * 1e6 for k, v in ts.items()}
            print(dt, xs, ys, " ".join(f"{k} {v:.1f}us" for k, v in m.items()),
                  f"al64/off16 speed {m['off16'] / m['al64']:.2f}", flush=True)


if __name__ == "__main__":
    measure(CASES)
