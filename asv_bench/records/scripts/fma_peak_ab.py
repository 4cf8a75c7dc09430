"""The bench's FMA peak: SLP over scalar chains (the bench before 12affdb) against explicit LLVM vector FMAs.

Usage::

    git show 210b3e3:batchdot/bench/cpu.py | sed 's/from \.\. import/from batchdot import/;
        s/from \.\.\([a-z_.][a-z_.]*\) import/from batchdot.\1 import/; s/from \.spec import/from batchdot.bench.spec import/' > /tmp/oldbench.py
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/fma_peak_ab.py /tmp/oldbench.py

Prints each kernel's compile-and-first-run CPU seconds, then three alternating rounds of
``fma_peak`` (best of 0.5 s of runs, every thread and one thread, the better), and the
vector width of the old kernel's FMAs (``vfmadd`` on ymm or zmm registers).
"""
import importlib.util
import re
import sys
import time

import numpy as np
from numba.core import config
from numba.core.compiler_lock import global_compiler_lock

from batchdot.bench import cpu as newbench

spec = importlib.util.spec_from_file_location("oldbench", sys.argv[1])
oldbench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oldbench)
for dt in (np.float32, np.float64):
    for name, m in (("old", oldbench), ("new", newbench)):
        t = time.process_time()
        m.fma_peak(dt, reps=1000)
        print(f"{np.dtype(dt).name} {name} compile+first {time.process_time() - t:.2f} CPU s", flush=True)
for _ in range(3):
    for dt in (np.float32, np.float64):
        print(np.dtype(dt).name, "  ".join(f"{name} {m.fma_peak(dt, window=0.5):.1f}"
                                           for name, m in (("old", oldbench), ("new", newbench))), "GFLOP/s", flush=True)
k = oldbench._fma_kernel(8 * 8, parallel=False)
with global_compiler_lock:
    old, config.SLP_VECTORIZE = config.SLP_VECTORIZE, 1
    try:
        k(np.ones((1, 64)), 0.5, 1.0, 3)
    finally:
        config.SLP_VECTORIZE = old
asm = "".join(k.inspect_asm().values())
print("old kernel, float64:", {r: len(re.findall(rf"vfmadd\w+\s+%{r}", asm)) for r in ("xmm", "ymm", "zmm")}, "FMA instructions")
