"""large512's BLAS call and ways to check it: the result for NaN/inf (the former check), the
operands' largest magnitudes or norms, for all of the batch or per batch element just before
its matmul (its operands then in cache).  Run with NumPy's own OpenBLAS core type:
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/blas_checks.py"""
import time, numpy as np
B, M = 16, 512
def variants(dt):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, M, M)).astype(dt); y = rng.standard_normal((B, M, M)).astype(dt)
    out = np.empty((B, M, M), dt)
    mx = float(np.finfo(dt).max)
    def plain():
        np.matmul(x, y, out=out)
    def current():
        np.matmul(x, y, out=out)
        return np.isfinite(out.sum())
    def whole_minmax():
        ax = max(x.max(), -x.min()); ay = max(y.max(), -y.min())
        ok = float(ax) * float(ay) <= mx
        np.matmul(x, y, out=out)
        return ok
    def post_minmax():
        ok = True
        for i in range(B):
            xi, yi, oi = x[i], y[i], out[i]
            np.matmul(xi, yi, out=oi)
            ax = max(xi.max(), -xi.min()); ay = max(yi.max(), -yi.min())
            ok = ok and float(ax) * float(ay) <= mx
        return ok
    def pre_minmax():
        ok = True
        for i in range(B):
            xi, yi, oi = x[i], y[i], out[i]
            ax = max(xi.max(), -xi.min()); ay = max(yi.max(), -yi.min())
            ok = ok and float(ax) * float(ay) <= mx
            np.matmul(xi, yi, out=oi)
        return ok
    def pre_norm():
        ok = True
        for i in range(B):
            xi, yi, oi = x[i], y[i], out[i]
            xf, yf = xi.reshape(-1), yi.reshape(-1)
            ok = ok and float(np.dot(xf, xf)) * float(np.dot(yf, yf)) <= mx * mx / 4
            np.matmul(xi, yi, out=oi)
        return ok
    def whole_norm():
        xf, yf = x.reshape(-1), y.reshape(-1)
        ok = float(np.dot(xf, xf)) * float(np.dot(yf, yf)) <= mx * mx / 4
        np.matmul(x, y, out=out)
        return ok
    return dict(plain=plain, current=current, whole_minmax=whole_minmax, post_minmax=post_minmax, pre_minmax=pre_minmax, pre_norm=pre_norm, whole_norm=whole_norm)
for rep in range(2):
  for dt in (np.float32, np.float64):
    v = variants(dt)
    for f in v.values(): f(); f()
    t = {k: [] for k in v}
    for r in range(15):
        for k, f in v.items():
            t0 = time.perf_counter(); f(); t[k].append(time.perf_counter() - t0)
    base = np.median(t["plain"])
    print(dt.__name__, " ".join(f"{k} {np.median(s)*1e3:.2f}ms ({base/np.median(s):.3f})" for k, s in t.items()))
