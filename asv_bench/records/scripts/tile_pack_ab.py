"""The tiles' span on one thread on large products, GFLOP/s: two versions of
``batchdot/cpu/tiles.py`` compiled side by side in one process and called interleaved
(medians of 7), so that the VM's drifts hit both alike.

    NUMBA_CACHE_DIR=$(mktemp -d) python asv_bench/records/scripts/tile_pack_ab.py OLD_TILES_PY NEW_TILES_PY
(a fresh cache: the two copies are compiled as modules of their own, which Numba cannot reload)
e.g. OLD = ``git show <commit>:batchdot/cpu/tiles.py > /tmp/old_tiles.py``.
"""
import sys, time, types
import numpy as np
from numba import njit
from batchdot.cpu.jit import compile_for


def load(path, name):
    src = open(path).read().replace("from .", "from batchdot.cpu.")
    mod = types.ModuleType(name)
    exec(compile(src, path, "exec"), mod.__dict__)
    return mod


mods = {"old": load(sys.argv[1], "tiles_old"), "new": load(sys.argv[2], "tiles_new")}
rng = np.random.default_rng(0)
for dt in (np.float32, np.float64):
    for (B, M, K, N) in [(16, 512, 512, 512), (64, 128, 128, 128), (256, 64, 64, 64), (8, 1024, 256, 256), (4000, 32, 32, 32)]:
        x, y = rng.standard_normal((B, M, K)).astype(dt), rng.standard_normal((B, K, N)).astype(dt)
        outs, fns = {}, {}
        for k, m in mods.items():
            items = m.work_items(B, M)
            out = outs[k] = np.empty((B, M, N), dt)
            span = compile_for(m.tile_span, (x, y, out, dt(0), 0, items), general=True)
            fns[k] = (lambda span=span, out=out, items=items: span(x, y, out, dt(0), 0, items))
            fns[k]()
        assert np.allclose(outs["old"], outs["new"], rtol=1e-4, atol=1e-3)
        ts = {k: [] for k in fns}
        for _ in range(7):
            for k, f in fns.items():
                t0 = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t0)
        gf = {k: 2 * B * M * K * N / np.median(v) / 1e9 for k, v in ts.items()}
        print(f"{np.dtype(dt).name:8s}{str((B, M, K, N)):22s} old {gf['old']:6.1f}  new {gf['new']:6.1f} GFLOP/s  new/old {gf['new'] / gf['old']:.2f}", flush=True)
