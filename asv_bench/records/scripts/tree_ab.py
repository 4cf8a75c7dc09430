"""The working tree against an earlier commit, in one process: the earlier tree as
``batchdot_old`` (``git archive <commit> batchdot``, renamed, on PYTHONPATH).  Three scenes,
each with both trees and NumPy's best spelling interleaved (medians): idle; one core kept
busy by a spinning process; every call right after ``np.matmul`` of a (384, 384) float32
pair (the time of the pair is reported).  The order of the runners is reversed every other round (since 17:25 on 2026-12-06: before,
the first, "new", paid for its place: squash float64 idle 0.85 and large512 busy 0.84-0.89
between identical trees, `2026-12-06-1642-squash-same-trees.txt`, `-1723-order-effect.txt`).
Arguments: workloads and dtypes to run (default:
every workload; float32 and float64; complex64 and complex128 on request; a workload ending
in _F has Fortran-ordered operands, one ending in _T (on request only) an x stored (B, K, M)).
Run: rm -rf /tmp/oldpkg && mkdir /tmp/oldpkg && git archive <commit> batchdot | tar -x -C /tmp/oldpkg &&
mv /tmp/oldpkg/batchdot /tmp/oldpkg/batchdot_old &&
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/tree_ab.py [small32 float32 ...]"""
import contextlib, subprocess, sys, time
import numpy as np
import batchdot
import batchdot_old

rng = np.random.default_rng(0)
WL = {  # name: (x shape, y shape, axes, NumPy's spelling)
    "small8": ((50000, 8, 8), (50000, 8, 8), None, lambda x, y: np.matmul(x, y)),
    "small32": ((4000, 32, 32), (4000, 32, 32), None, lambda x, y: np.matmul(x, y)),
    "midaxis": ((8192, 64, 16), (8192, 64, 16), (1, 1), lambda x, y: np.matmul(x.transpose(0, 2, 1), y)),
    "squash": ((64, 12, 4, 5), (64, 12, 5, 8), None,
               lambda x, y: np.matmul(x.reshape(64, 48, 5), y.transpose(0, 2, 1, 3).reshape(64, 5, 96))),
    "large512": ((16, 512, 512), (16, 512, 512), None, lambda x, y: np.matmul(x, y)),
    "vecmat": ((10000, 64), (10000, 32, 64), (1, 2), lambda x, y: np.einsum("bk,bnk->bn", x, y)),
    "vecmat_F": ((10000, 64), (10000, 32, 64), (1, 2), lambda x, y: np.einsum("bk,bnk->bn", x, y)),  # Fortran order
    "large512_F": ((16, 512, 512), (16, 512, 512), None, lambda x, y: np.matmul(x, y)),
    # one column: x stored (B, K, M), as its transpose (suffix _T); on request
    "onecol_T": ((4000, 96, 64), (4000, 64), (2, 1), lambda x, y: np.matmul(x, y[..., None])[..., 0]),
}
A = rng.standard_normal((384, 384)).astype(np.float32)


def med(fns, reps=11):
    for f in fns.values():
        f(); f()
    ts = {k: [] for k in fns}
    for rep in range(reps):  # the order reversed every other round: the first runner of a round pays more
        for k, f in (list(fns.items()) if rep % 2 == 0 else list(fns.items())[::-1]):
            t0 = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t0)
    return {k: float(np.median(v)) for k, v in ts.items()}


PICK = set(sys.argv[1:])
NAMES = {"float32", "float64", "complex64", "complex128"}
DTYPES = [np.dtype(n) for n in sorted(PICK & NAMES)] or [np.dtype(np.float32), np.dtype(np.float64)]
WORKLOADS = {k: v for k, v in WL.items() if (not PICK - NAMES and not k.endswith("_T")) or k in PICK}


def values(shape, dt):
    v = rng.standard_normal(shape)
    return (v + 1j * rng.standard_normal(shape) if dt.kind == "c" else v).astype(dt)


def scene(name):
    print(f"scene: {name}", flush=True)
    for wl, (xs, ys, axes, npf) in WORKLOADS.items():
        for dt in DTYPES:
            x, y = values(xs, dt), values(ys, dt)
            if wl.endswith("_F"):
                x, y = np.asfortranarray(x), np.asfortranarray(y)
            if wl.endswith("_T"):
                x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
            assert np.allclose(batchdot.batch_dot(x, y, axes), batchdot_old.batch_dot(x, y, axes), rtol=1e-4, atol=1e-3)
            fns = {"new": lambda: batchdot.batch_dot(x, y, axes), "old": lambda: batchdot_old.batch_dot(x, y, axes),
                   "numpy": lambda: npf(x, y)}
            if name == "after BLAS":
                fns = {k: (lambda f=f: (A @ A, f())) for k, f in fns.items()}
            one = med({"numpy": fns["numpy"]}, 3)["numpy"]
            m = med(fns, max(5, min(200, int(0.6 / max(one, 1e-6)))))
            print(f"  {wl:9s}{np.dtype(dt).name:8s} new {m['new']*1e3:9.3f} ms  old {m['old']*1e3:9.3f} ms  numpy {m['numpy']*1e3:9.3f} ms"
                  f"  new/old speed {m['old']/m['new']:5.2f}  ratio new {m['numpy']/m['new']:5.2f} old {m['numpy']/m['old']:5.2f}", flush=True)


@contextlib.contextmanager
def spinning():
    """One core kept busy by a spinning process while the block runs."""
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        spin.kill()
        time.sleep(0.5)


def main():
    scene("idle")
    with spinning():
        scene("busy (one core kept busy by a spinning process)")
    scene("after BLAS")


if __name__ == "__main__":
    main()
