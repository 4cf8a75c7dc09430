"""The copy of squash's staged y ((64, 12, 5, 8) read as (64, 5, 12, 8)) by NumPy
(np.ascontiguousarray of the transposed view) and by cpu.stage (np.take of its rows, rows of a
multiple of 32 bytes as 32-byte pieces), per dtype; then NumPy's cost per row: a strided copy of
1920 rows of 8 float32 and np.take of 64-byte rows whole and as 32-byte pieces. Microseconds,
medians of 15 (300 calls each).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/stage_copy_times.py"""
import time

import numpy as np

from batchdot.cpu import stage


def T(f, n=300):
    f()
    ts = []
    for _ in range(15):
        t = time.perf_counter()
        for _ in range(n):
            f()
        ts.append((time.perf_counter() - t) / n)
    return np.median(ts) * 1e6


rng = np.random.default_rng(0)
order = (0, 2, 1, 3)
for dt in ["float32", "float64", "complex64", "complex128"]:
    y = (rng.standard_normal((64, 12, 5, 8)) * 5).astype(dt)
    assert np.array_equal(stage(y, order), y.transpose(order))
    print(f"{dt:10s} NumPy's copy {T(lambda: np.ascontiguousarray(y.transpose(order))):6.1f} us   "
          f"cpu.stage {T(lambda: stage(y, order)):6.1f} us", flush=True)
rows = rng.standard_normal((3840, 8)).astype(np.float32)
print("NumPy's strided copy of 1920 rows of 32 bytes: %.1f us" % T(lambda: np.ascontiguousarray(rows[::2])))
y = rng.standard_normal((64, 12, 5, 8))
idx = np.arange(3840).reshape(64, 12, 5).transpose(0, 2, 1).ravel()
idx2 = ((idx * 2)[:, None] + np.arange(2)).ravel()
print("np.take of 3840 rows of 64 bytes: whole %.1f us, as 32-byte pieces %.1f us" % (
    T(lambda: np.take(y.reshape(-1, 8), idx, axis=0)), T(lambda: np.take(y.reshape(-1, 4), idx2, axis=0))))
