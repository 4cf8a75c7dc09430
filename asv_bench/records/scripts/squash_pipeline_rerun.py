import numpy as np, time
from batchdot import batch_dot
from batchdot.cpu import policy
from batchdot.bench.cpu import _median_interleaved, WORKLOADS
xs, ys, axes, peers = WORKLOADS["squash"]
rng = np.random.default_rng(0)
a = rng.standard_normal((384,384), dtype=np.float32); w = rng.standard_normal((384,384), dtype=np.float32)
for dt in ("float64", "float32"):
    x = rng.standard_normal(xs).astype(dt); y = rng.standard_normal(ys).astype(dt)
    def bd(): np.matmul(a, w); batch_dot(x, y, axes)
    def mm(): np.matmul(a, w); peers["matmul"](x, y)
    def bd_only(): batch_dot(x, y, axes)
    ts = _median_interleaved([bd, mm, bd_only], 21, 6.0)
    print(dt, ["%.3f ms" % (t*1e3) for t in ts], policy.state.snapshot())
