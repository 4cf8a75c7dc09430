"""Dots or tiles for y stored (B, N, K) (``batch_dot(x, y, axes=(2, 2))`` of C-ordered arrays,
as in attention scores q . k^T): both families forced and the automatic choice, medians of 9
interleaved rounds (order reversed every other round), about 4e6 elements of operands a case.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/dots_or_tiles_rows.py 16,24,41,64,96,128"""
import numpy as np, time, batchdot, sys
rng=np.random.default_rng(0)
for M in tuple(int(a) for a in sys.argv[1].split(",")):
  for K in (64, 256, 1024):
    for N in (16, 128):
      for dt in (np.float32, np.float64):
        B=max(1, int(4e6/((M+N)*K)))
        x=rng.standard_normal((B,M,K)).astype(dt); y=rng.standard_normal((B,N,K)).astype(dt)
        f={"tile":lambda: batchdot.batch_dot(x,y,(2,2),kernel="tile"),"dot":lambda: batchdot.batch_dot(x,y,(2,2),kernel="dot"),"auto":lambda: batchdot.batch_dot(x,y,(2,2))}
        for g in f.values(): g()
        ts={k:[] for k in f}
        for r in range(9):
            for k,g in (list(f.items()) if r%2==0 else list(f.items())[::-1]):
                t0=time.perf_counter(); g(); ts[k].append(time.perf_counter()-t0)
        m={k:np.median(v)*1e3 for k,v in ts.items()}
        print(f"B{B:5d} M{M:4d} K{K:5d} N{N:4d} {np.dtype(dt).name:8s} tile {m['tile']:7.3f} dot {m['dot']:7.3f} auto {m['auto']:7.3f} ms  dot/tile {m['dot']/m['tile']:5.2f}",flush=True)
