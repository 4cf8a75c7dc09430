import sys, numpy as np, batchdot, batchdot_old
from batchdot.bench.cpu import _median_interleaved
rng=np.random.default_rng(0)
cases=[tuple(map(int,c.split(","))) for c in sys.argv[2:]]
for B,M,N,K in cases:
  for dt in [np.dtype(d).type for d in sys.argv[1].split(",")]:
    q=rng.standard_normal((B,M,K)).astype(dt); k=rng.standard_normal((B,N,K)).astype(dt)
    a,b=batchdot.batch_dot(q,k,(2,2)),batchdot_old.batch_dot(q,k,(2,2)); np.testing.assert_allclose(a,b,rtol=1e-5 if dt==np.float32 else 1e-12, atol=1e-5)
    fns=[lambda: batchdot.batch_dot(q,k,(2,2)), lambda: batchdot_old.batch_dot(q,k,(2,2)), lambda: np.matmul(q,k.transpose(0,2,1))]
    ts=_median_interleaved(fns, 15, 2.0)
    print(f"({B},{M},{N},{K}) {np.dtype(dt).name} new {ts[0]*1e6:7.1f} us old {ts[1]*1e6:7.1f} matmul {ts[2]*1e6:7.1f} new/old speed {ts[1]/ts[0]:.2f} ratio new {ts[2]/ts[0]:.2f} old {ts[2]/ts[1]:.2f}", flush=True)
