"""BLAS or the tiles for large float products, in three scenes: idle, one core busy (a spinning
process), and each call right after np.matmul of a (384, 384) float32 pair (NumPy's BLAS
threads still spinning); "idle-warm" is idle with 0.15 s of untimed calls of the same function
before each timed call (as the bench times: the other function's threads asleep).  Times are medians of interleaved calls of np.matmul and
batch_dot(kernel='tile'); ratio = matmul / tile (above 1: the tiles win).
--auto adds batch_dot's automatic choice (BLAS or the tiles, per call under the policy).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/blas_rule_scenes.py"""
import subprocess, sys, time
import numpy as np
from batchdot import batch_dot
from batchdot.cpu import choose

SHAPES = [(16 * 512**3 // n**3, n, n, n) for n in (128, 192, 256, 384, 512, 768)] + [
    (4, 1024, 128, 1024), (8, 256, 2048, 256), (64, 128, 1024, 128), (8, 1024, 384, 384), (256, 128, 128, 128)]
a = np.ones((384, 384), np.float32)


def med(fns, pre, reps=7, warm=0.0):
    ts = [[] for _ in fns]
    for f in fns:
        f()
    for _ in range(reps):
        for i, f in enumerate(fns):
            t_warm = time.perf_counter() + warm
            while time.perf_counter() < t_warm:  # untimed calls first: the function's own threads awake
                f()
            pre()
            t0 = time.perf_counter(); f(); ts[i].append(time.perf_counter() - t0)
    return [float(np.median(t)) for t in ts]


def run(scene):
    pre = (lambda: np.matmul(a, a)) if scene == "pipeline" else (lambda: None)
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64):
        for B, M, K, N in SHAPES:
            x, y = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, K, N)).astype(dt)
            fns = [lambda: np.matmul(x, y), lambda: batch_dot(x, y, kernel="tile")]
            fns += [lambda: batch_dot(x, y)] if AUTO else []
            ts = med(fns, pre, warm=0.15 if scene == "idle-warm" else 0.0)
            tm, tt = ts[:2]
            auto = choose.choose_kernel(B, M, K, N, x, y, np.dtype(dt), np.dtype(dt))
            print(f"{scene:8s} {np.dtype(dt).name:7s} {f'{B}, {M}, {K}, {N}':>20s} y[b] {K * N * np.dtype(dt).itemsize / 2**20:5.2f} MiB "
                  f"matmul {tm * 1e3:7.2f} ms tile {tt * 1e3:7.2f} ms ratio {tm / tt:5.2f} auto {auto}"
                  + (f" | auto {ts[2] * 1e3:7.2f} ms ratio {tm / ts[2]:5.2f}" if AUTO else ""), flush=True)


AUTO = "--auto" in sys.argv  # also time batch_dot's automatic choice
for scene in [a for a in sys.argv[1:] if a != "--auto"] or ["idle", "busy", "pipeline"]:
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if scene == "busy" else None
    try:
        time.sleep(0.5 if spin else 0)
        run(scene)
    finally:
        if spin:
            spin.kill(); spin.wait()
