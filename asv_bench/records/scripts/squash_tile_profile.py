"""squash's tiles in an @njit loop (20000 calls), for perf: prints the addresses of the compiled functions and dumps the fused 8 x 2 float32 tile body's machine code to /tmp/exp/mk.bin.
Run: mkdir -p /tmp/exp; NUMBA_ENABLE_PROFILING=1 NUMBA_NUM_THREADS=1 perf record -e cpu-clock -F 5000 -o /tmp/exp/perf.data python asv_bench/records/scripts/squash_tile_profile.py; perf report -i /tmp/exp/perf.data --stdio; objdump -D -b binary -mi386:x86-64 /tmp/exp/mk.bin"""
import numpy as np, batchdot, time
from numba import njit
from batchdot.cpu.tiles import tile_span, ROWS
@njit
def run(x, y, out, zero, reps):
    for _ in range(reps):
        tile_span(x, y, out, zero, 0, out.shape[0] * ((x.shape[1] + ROWS - 1) // ROWS))
rng = np.random.default_rng(0)
dt = np.float32
x3 = rng.standard_normal((64, 48, 5)).astype(dt); y3 = rng.standard_normal((64, 5, 96)).astype(dt); o3 = np.empty((64, 48, 96), dt)
run(x3, y3, o3, dt(0), 1)
t = time.perf_counter(); run(x3, y3, o3, dt(0), 20000); print((time.perf_counter() - t) / 20000 * 1e6, "us")
lib = run.overloads[list(run.overloads)[0]].library
import re
names = set(re.findall(r"^(batchdot_\w+|_ZN\w+):", lib.get_asm_str(), re.M))
for n in sorted(names):
    try:
        print("ADDR", hex(lib.get_pointer_to_function(n)), n[:60])
    except Exception as e:
        pass
import ctypes
a = lib.get_pointer_to_function("batchdot_mk_f4_f4_f4_8x2_w16_fma_c")
open("/tmp/exp/mk.bin", "wb").write(ctypes.string_at(a, 0x670))
