"""CPU seconds to compile one span of a tree (fresh process, empty NUMBA_CACHE_DIR) for float32 (1000, 3) row dots.
Run: rm -rf /tmp/nbc; NUMBA_CACHE_DIR=/tmp/nbc PYTHONPATH=<dir holding PKG> python asv_bench/records/scripts/span_compile_time.py PKG SPAN"""
import importlib, sys, time, numpy as np
pkg, span = sys.argv[1], sys.argv[2]
importlib.import_module(pkg)
dots = importlib.import_module(pkg + '.cpu.dots'); jit = importlib.import_module(pkg + '.cpu.jit')
x = np.ones((1000, 3), np.float32); out = np.empty((1000, 1), np.float32)
t = time.process_time(); jit.compile_for(getattr(dots, span), (x, x, out, np.float32(0), 0, 1000), general=True)
print(f"{pkg:14s} {span:18s} compile {time.process_time() - t:.2f} s")
