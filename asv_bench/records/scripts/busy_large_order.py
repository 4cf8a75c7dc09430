"""large512 with one core kept busy, the working tree ("new") and batchdot_old interleaved, in the order new, old (or old, new with the argument rev); medians of 9. Run as tree_ab.py."""
import subprocess, sys, time
import numpy as np
import batchdot, batchdot_old
rng = np.random.default_rng(0)
spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
time.sleep(0.5)
try:
    for dt in ["float32", "float64"]:
        x = rng.standard_normal((16, 512, 512)).astype(dt); y = rng.standard_normal((16, 512, 512)).astype(dt)
        order = [("old", batchdot_old.batch_dot), ("new", batchdot.batch_dot)] if "rev" in sys.argv else [("new", batchdot.batch_dot), ("old", batchdot_old.batch_dot)]
        for _, f in order: f(x, y); f(x, y)
        ts = {k: [] for k, _ in order}
        for _ in range(9):
            for k, f in order:
                t = time.perf_counter(); f(x, y); ts[k].append(time.perf_counter() - t)
        print(dt, "order", [k for k, _ in order], {k: round(np.median(v) * 1e3, 1) for k, v in ts.items()}, flush=True)
finally:
    spin.kill()
