"""float32 relative error at long K (x, y uniform in [0, 1)): every CPU family forced, against np.matmul, float64 reference.

    python asv_bench/records/scripts/long_k_accuracy.py
"""
import numpy as np

from batchdot import batch_dot
rng = np.random.default_rng(0)
for K in (2**16, 2**20, 2**22):
    x = rng.random((2, 1, K), dtype=np.float32); y = rng.random((2, K, 3), dtype=np.float32)
    ref = np.matmul(x.astype(np.float64), y.astype(np.float64))
    mm = np.matmul(x, y)
    row = {}
    for k in ("tile", "dot", "generic"):
        r = batch_dot(x, y, kernel=k)
        row[k] = float(np.max(np.abs(r - ref) / np.abs(ref)))
    xr, yr = x[:, 0, :], y[:, :, 0].copy()
    r = batch_dot(xr, yr, 1, kernel="rowdot"); row["rowdot"] = float(np.max(np.abs(r[:, 0] - ref[:, 0, 0]) / ref[:, 0, 0]))
    print(K, "matmul %.1e" % float(np.max(np.abs(mm - ref) / np.abs(ref))), {k: "%.1e" % v for k, v in row.items()})
