"""complex_span's block of i y (vector.times_i), the working tree against an earlier one (``batchdot_old`` on
PYTHONPATH, as for tree_ab.py), one thread for the tile products forced to the tiles (8 x 8,
32 x 32, squash as 768 x (4 x 5 x 8)), then midaxis and a one-column product (x stored
(B, K, M)) on the automatic path, one thread too.  Medians of interleaved
repeats, the order reversed every other round.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/complex_ways_iso.py"""
import time, numpy as np, numba, batchdot, batchdot_old
numba.set_num_threads(1)
rng=np.random.default_rng(0)
cases={"small8":((50000,8,8),(50000,8,8)),"small32":((4000,32,32),(4000,32,32)),"squash":((768,4,5),(768,5,8))}
for name,(xs,ys) in cases.items():
  for dt in (np.complex64,np.complex128):
    x=(rng.standard_normal(xs)+1j*rng.standard_normal(xs)).astype(dt); y=(rng.standard_normal(ys)+1j*rng.standard_normal(ys)).astype(dt)
    f={"new":lambda: batchdot.batch_dot(x,y,kernel='tile'),"old":lambda: batchdot_old.batch_dot(x,y,kernel='tile')}
    for g in f.values(): g();g()
    ts={k:[] for k in f}
    for r in range(31):
        for k,g in (list(f.items()) if r%2==0 else list(f.items())[::-1]):
            t0=time.perf_counter(); g(); ts[k].append(time.perf_counter()-t0)
    m={k:np.median(v)*1e3 for k,v in ts.items()}
    print(f"{name:9s}{np.dtype(dt).name:11s} new {m['new']:8.3f} old {m['old']:8.3f} ms  old/new {m['old']/m['new']:.3f}",flush=True)
for name,(xs,ys,axes,tr) in {"midaxis":((8192,64,16),(8192,64,16),(1,1),False),"onecol_T":((4000,96,64),(4000,64),(2,1),True)}.items():
  for dt in (np.complex64,np.complex128):
    x=(rng.standard_normal(xs)+1j*rng.standard_normal(xs)).astype(dt); y=(rng.standard_normal(ys)+1j*rng.standard_normal(ys)).astype(dt)
    if tr: x=np.ascontiguousarray(x.transpose(0,2,1)).transpose(0,2,1)
    f={"new":lambda: batchdot.batch_dot(x,y,axes),"old":lambda: batchdot_old.batch_dot(x,y,axes)}
    for g in f.values(): g();g()
    ts={k:[] for k in f}
    for r in range(21):
        for k,g in (list(f.items()) if r%2==0 else list(f.items())[::-1]):
            t0=time.perf_counter(); g(); ts[k].append(time.perf_counter()-t0)
    m={k:np.median(v)*1e3 for k,v in ts.items()}
    print(f"{name:9s}{np.dtype(dt).name:11s} new {m['new']:8.3f} old {m['old']:8.3f} ms  old/new {m['old']/m['new']:.3f}",flush=True)
