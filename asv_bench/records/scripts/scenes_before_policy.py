import time, sys, subprocess, numpy as np
from batchdot import batch_dot
from batchdot._bench import WORKLOADS
rng = np.random.default_rng(0)
def med(f, n=15):
    f(); f()
    ts=[]
    for _ in range(n):
        t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return np.median(ts)
data = {}
for name,(xs,ys,axes,peers) in WORKLOADS.items():
    if name in ("tiny",): continue
    x=rng.standard_normal(xs).astype(np.float32); y=rng.standard_normal(ys).astype(np.float32)
    data[name]=(x,y,axes,peers)
    batch_dot(x,y,axes)
mode = sys.argv[1]
spin = None
if mode=="busy":
    spin = subprocess.Popen([sys.executable,"-c","while True: pass"]); time.sleep(0.5)
for name,(x,y,axes,peers) in data.items():
    if mode=="pipe":
        a=rng.standard_normal((384,384)).astype(np.float32)
        t_b = med(lambda: (a@a, batch_dot(x,y,axes)))
        t_n = min(med(lambda: (a@a, f(x,y))) for f in peers.values())
    else:
        t_b = med(lambda: batch_dot(x,y,axes))
        t_n = min(med(lambda: f(x,y)) for f in peers.values())
    print(f"{mode} {name:9s} bd {t_b*1e3:8.3f} ms  np {t_n*1e3:8.3f} ms  ratio {t_n/t_b:5.2f}", flush=True)
if spin: spin.kill()
