"""CPU seconds to compile rowdot_span for float32 in a fresh process (empty NUMBA_CACHE_DIR).

    PYTHONPATH=/tmp/oldpkg NUMBA_CACHE_DIR=$(mktemp -d) python asv_bench/records/scripts/rowdot_compile_ab.py batchdot_old|batchdot
"""
import sys, time, importlib, numpy as np
mod = sys.argv[1]
dots = importlib.import_module(mod + ".cpu.dots"); jit = importlib.import_module(mod + ".cpu.jit")
x = np.ones((4, 3), np.float32); out = np.empty((4, 1), np.float32)
t = time.process_time()
jit.compile_for(dots.rowdot_span, (x, x, out, np.float32(0), 0, 4), general=True)
print(mod, f"rowdot_span float32 compile {time.process_time() - t:.2f} s")
