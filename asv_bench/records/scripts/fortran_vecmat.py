"""Fortran-ordered vecmat ((10000, 64) . (10000, 32, 64) in np.asfortranarray): the automatic
choice (tiles on a staged y), kernel="dot" (staged x and y) and np.einsum, two threads and one.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/fortran_vecmat.py"""
import time, numpy as np, batchdot
rng = np.random.default_rng(0)
for dt in (np.float32, np.float64):
    x = np.asfortranarray(rng.standard_normal((10000, 64)).astype(dt)); y = np.asfortranarray(rng.standard_normal((10000, 32, 64)).astype(dt))
    f = {"auto(tile)": lambda: batchdot.batch_dot(x, y, (1, 2)), "dot": lambda: batchdot.batch_dot(x, y, (1, 2), kernel="dot"),
         "einsum": lambda: np.einsum("bk,bnk->bn", x, y)}
    for g in f.values(): g(); g(); g()
    ts = {k: [] for k in f}
    for r in range(11):
        for k, g in f.items():
            t0 = time.perf_counter(); g(); ts[k].append(time.perf_counter() - t0)
    print(np.dtype(dt).name, " ".join(f"{k} {np.median(v)*1e3:.2f} ms" for k, v in ts.items()))
    with batchdot.thread_limit(1):
        ts = {k: [] for k in f}
        for r in range(7):
            for k, g in f.items():
                t0 = time.perf_counter(); g(); ts[k].append(time.perf_counter() - t0)
        print(" one thread", " ".join(f"{k} {np.median(v)*1e3:.2f} ms" for k, v in ts.items()))
