"""CPU seconds to compile tile_span of a package for (10, 32, 32) float32 products (fresh process).

    NUMBA_CACHE_DIR=$(mktemp -d) PYTHONPATH=<dir holding PKG> python asv_bench/records/scripts/tile_compile.py PKG

Alternate two trees (one copied under another name, as in first_call_ab.py) over several rounds.
"""
import importlib, sys, time, numpy as np
pkg = sys.argv[1]
importlib.import_module(pkg)
tiles = importlib.import_module(pkg + '.cpu.tiles'); jit = importlib.import_module(pkg + '.cpu.jit')
x = np.ones((10, 32, 32), np.float32); out = np.empty((10, 32, 32), np.float32)
t = time.process_time(); jit.compile_for(tiles.tile_span, (x, x, out, np.float32(0), 0, 10), general=True)
print(f"{pkg:14s} tile_span compile {time.process_time() - t:.2f} s")
