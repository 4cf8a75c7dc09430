"""Shared dots (:data:`batchdot.cpu.dots.DOTS` rows of ``yt`` against one row of ``x``) or single
ones, with or without the dots' prefetch, on vecmat-like products ((B, K) . (B, N, K)) against
``np.einsum``, one process, medians of interleaved repeats.  Needs a tree whose dots.py reads
``DOTS`` and ``PREFETCH_BYTES`` from the environment (``BD_DOTS``, ``BD_PF``: a two-line edit
of 5207a47, not committed), each setting in a fresh process with its own cache.
Run: for d in "1 0" "8 0" "1 32768"; do set -- $d; rm -rf /tmp/nbc; env -u OPENBLAS_CORETYPE
-u OPENBLAS_L2_SIZE NUMBA_CACHE_DIR=/tmp/nbc BD_DOTS=$1 BD_PF=$2 NUMBA_NUM_THREADS=1 python
asv_bench/records/scripts/dot_sharing_amd.py; done"""
import numpy as np, sys
import batchdot
from interleave import medians
rng=np.random.default_rng(0)
for dt in ('float32','float64'):
    for xs, ys in (((10000,64),(10000,32,64)), ((20000,32),(20000,16,32)), ((3000, 128), (3000, 64, 128))):
        x=rng.standard_normal(xs).astype(dt); y=rng.standard_normal(ys).astype(dt)
        fns=[lambda: batchdot.batch_dot(x,y,(1,2)), lambda: np.einsum('bk,bnk->bn',x,y)]
        t=medians(fns, 21)
        print(dt, xs, ys, ' '.join(f'{v:.2f}' for v in t), f'ratio {t[1]/t[0]:.2f}', flush=True)
