"""The complex tiles of the working tree against an earlier tree (``batchdot_old`` on PYTHONPATH,
as for tree_ab.py): 400 random products forced to the tiles (complex64/128, B 1-5, M 1-79,
K 1-599, N 1-39; x stored by columns now and then, y's columns reversed now and then, out= of
a transposed layout now and then), counting results that differ in any bit.
Run: PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/complex_bitwise_ab.py"""
import numpy as np

import batchdot
import batchdot_old

rng = np.random.default_rng(2)
differ = 0
for t in range(400):
    dt = np.dtype(rng.choice(["complex64", "complex128"]))
    B, M, K, N = (int(rng.integers(1, h)) for h in (6, 80, 600, 40))
    x = (rng.standard_normal((B, M, K)) + 1j * rng.standard_normal((B, M, K))).astype(dt)
    y = (rng.standard_normal((B, K, N)) + 1j * rng.standard_normal((B, K, N))).astype(dt)
    if rng.random() < 0.3:
        x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
    if rng.random() < 0.2 and N > 1:
        y = y[:, :, ::-1]
    if rng.random() < 0.3:
        o, o2 = (np.zeros((B, N, M), dt).transpose(0, 2, 1) for _ in range(2))
        a, b = batchdot.batch_dot(x, y, kernel="tile", out=o), batchdot_old.batch_dot(x, y, kernel="tile", out=o2)
    else:
        a, b = batchdot.batch_dot(x, y, kernel="tile"), batchdot_old.batch_dot(x, y, kernel="tile")
    if not np.array_equal(np.ascontiguousarray(a).view(np.uint8), np.ascontiguousarray(b).view(np.uint8)):
        differ += 1
        print("differ:", dt, x.shape, y.shape)
print(f"400 products, {differ} differ in any bit")
