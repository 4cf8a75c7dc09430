"""squash (64, 12, 4, 5) . (64, 12, 5, 8) float32, 300 calls in a row: each call's time, whether
the policy was serial after it, and the regions' measured gains (policy.state).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=<tree> python squash_policy_verdicts.py
"""
import time
import numpy as np
from batchdot import batch_dot
from batchdot.cpu import policy

rng = np.random.default_rng(0)
x = rng.standard_normal((64, 12, 4, 5)).astype(np.float32)
y = rng.standard_normal((64, 12, 5, 8)).astype(np.float32)
batch_dot(x, y)
rows = []
for _ in range(300):
    t = time.perf_counter(); batch_dot(x, y); t1 = time.perf_counter()
    rows.append((policy.state.last_gain, policy.state.serial_since is not None, (t1 - t) * 1e6))
print(policy.state.snapshot())
g = [a for a, b, c in rows if a]
print("gain percentiles 10/50/90:", np.percentile(g, [10, 50, 90]))
print("serial frac", np.mean([b for a, b, c in rows]), "median us serial", np.median([c for a, b, c in rows if b] or [0]),
      "parallel", np.median([c for a, b, c in rows if not b] or [0]))
