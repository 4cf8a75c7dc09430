"""The unseen sweep's few-row and K = 2 cases (seed 13), the working tree against ``batchdot_old`` on
PYTHONPATH, one process, 15 interleaved rounds, medians.

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/few_row_cases_ab.py
"""
import numpy as np, time, sys
import batchdot, batchdot_old
rng=np.random.default_rng(0)
def T(a): return np.ascontiguousarray(np.swapaxes(a, 1, 2)).swapaxes(1, 2)
cases=[("f4 T (4558,29,18,2)",lambda: (T(rng.standard_normal((4558,29,18,2)).astype('f4')), rng.standard_normal((4558,29)).astype('f4'), (1,1))),
       ("f8 C (45,20,91,33)",lambda: (rng.standard_normal((45,20,91,33)), rng.standard_normal((45,20)), (1,1))),
       ("f8 C (4558,29,18,2)",lambda: (rng.standard_normal((4558,29,18,2)), rng.standard_normal((4558,29)), (1,1))),
       ("f8 C (2011,2,2,8)x(2011,2,2,15)",lambda: (rng.standard_normal((2011,2,2,8)), rng.standard_normal((2011,2,2,15)), (2,1)))]
from batchdot import _api
for name, mk in cases:
    x,y,ax=mk()
    fs={"new":lambda: batchdot.batch_dot(x,y,ax),"old":lambda: batchdot_old.batch_dot(x,y,ax)}
    for f in fs.values(): f(); f()
    ts={k:[] for k in fs}
    for r in range(15):
        for k,f in (fs.items() if r%2 else reversed(fs.items())):
            t=time.perf_counter(); f(); ts[k].append(time.perf_counter()-t)
    m={k:np.median(v)*1e3 for k,v in ts.items()}
    print(f"{name:34s} new {m['new']:.3f} old {m['old']:.3f} ms  new/old speed {m['old']/m['new']:.2f}  family {_api._RUNNERS[_api._runner_key(x,y,ax,None,None)].family}")
