"""One thread: the tiles on (B, n, n) products with x, y and the result 16 bytes past a cache
line (as NumPy allocates), against the same with y first copied (the copy timed with the
product) into a C-ordered buffer on cache lines ("copy"), or one whose rows are also padded by
one cache line ("copy+pad": rows of 2 or 4 KiB no longer map to the same L1 sets), and
with everything aligned ("al64", no copy); result aligned in all but "off16".  Medians of 7
interleaved repeats, ms.  Run (in scripts/): NUMBA_NUM_THREADS=1 python aligned_y_copy_iso.py"""
import time, numpy as np
from span_loop import runner
from batchdot.cpu.tiles import tile_span
run = runner(tile_span)


def aligned(shape, dt, off, pad=0):
    dt = np.dtype(dt)
    padded = shape[:-1] + (shape[-1] + pad // dt.itemsize,)
    n = int(np.prod(padded)) * dt.itemsize
    buf = np.empty(n + 128, np.uint8)
    a = (-buf.__array_interface__["data"][0]) % 64 + off
    return buf[a:a + n].view(dt).reshape(padded)[..., :shape[-1]]


rng = np.random.default_rng(0)
for dt in ["float32", "float64"]:
    for B, n in [(16, 512), (64, 256), (8, 1024), (256, 128)]:
        X = rng.standard_normal((B, n, n)).astype(dt); Y = rng.standard_normal((B, n, n)).astype(dt)
        x16, y16, o16 = aligned(X.shape, dt, 16), aligned(Y.shape, dt, 16), aligned(X.shape, dt, 16)
        x16[...] = X; y16[...] = Y
        o64 = aligned(X.shape, dt, 0)
        xa, ya = aligned(X.shape, dt, 0), aligned(Y.shape, dt, 0)
        xa[...] = X; ya[...] = Y
        zero = np.dtype(dt).type(0)

        def off16():
            run(x16, y16, o16, zero, 1)

        def copy(pad=0):
            yc = aligned(Y.shape, dt, 0, pad)
            np.copyto(yc, y16)
            run(x16, yc, o64, zero, 1)

        def al64():
            run(xa, ya, o64, zero, 1)

        fs = {"off16": off16, "copy": copy, "copy+pad": lambda: copy(64), "al64": al64}
        for f in fs.values():
            f()
        ts = {k: [] for k in fs}
        for _ in range(7):
            for k, f in fs.items():
                t = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t)
        m = {k: np.median(v) * 1e3 for k, v in ts.items()}
        print(dt, (B, n), " ".join(f"{k} {v:.2f}" for k, v in m.items()), "ms;",
              " ".join(f"{k} {m['off16'] / v:.2f}x" for k, v in m.items() if k != "off16"), flush=True)
