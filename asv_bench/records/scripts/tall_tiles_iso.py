"""One thread, the one-vector tiles with x's rows adjacent (x stored by columns, "T") and
apart, tile_span of the working tree ("new") against batchdot_old, and np.matmul; streamed
(distinct batch elements) and cached (stride-0 batch).  GFLOP/s, medians of 9 interleaved
repeats (the harness of tile_prefetch_spread_iso.py, other cases).  Run:
NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/tall_tiles_iso.py"""
from span_loop import compare, runner  # noqa: E402  (scripts/span_loop.py)
from batchdot.cpu.tiles import tile_span as new_span
from batchdot_old.cpu.tiles import tile_span as old_span

CASES = [("float32", 8192, 16, 64, 16, True), ("float32", 4096, 32, 64, 16, True), ("float32", 8192, 24, 64, 16, True),
         ("float32", 2048, 64, 64, 16, True), ("float64", 8192, 16, 32, 8, True), ("float32", 8192, 24, 32, 16, False),
         ("float32", 4096, 32, 32, 16, False), ("float32", 50000, 8, 8, 8, False), ("float64", 50000, 8, 8, 8, False)]
compare({"new": runner(new_span), "old": runner(old_span)}, CASES)
