"""Tiny calls of one row by one column of rank 3 and 4: this tree, another (batchdot_old) and np.matmul.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/tiny_row_dots_ab.py
"""
import numpy as np, timeit
import batchdot, batchdot_old
rng=np.random.default_rng(0)
for xs,ys,axes in [((4,1,3),(4,3,1),None),((4,3),(4,3,1),(1,1)),((8,5),(8,5,1,1),(1,1)),((4,5,1),(4,1,1,5),(1,3))]:
    x=rng.standard_normal(xs); y=rng.standard_normal(ys)
    r=[]
    for f in (lambda: batchdot.batch_dot(x,y,axes), lambda: batchdot_old.batch_dot(x,y,axes), lambda: np.matmul(x.reshape(xs[0],1,-1), y.reshape(ys[0],-1,1)))*2:
        f(); r.append(min(timeit.repeat(f,number=2000,repeat=7))/2000*1e6)
    print(xs,ys,"new %.2f old %.2f numpy %.2f | new %.2f old %.2f numpy %.2f us" % tuple(r))
