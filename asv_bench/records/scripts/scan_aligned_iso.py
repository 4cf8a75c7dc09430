"""The magnitude scan in aligned vectors (its elements before the first vector boundary in one
masked load): one thread, tile_span of the working tree ("new") and of batchdot_old ("old") from an @njit
loop, and np.matmul: (B, M, K) x (B, K, N) products streamed (distinct batch elements) or cached
(stride-0 batch); "T": x read down its columns (midaxis's layout).  GFLOP/s, medians of 9
interleaved repeats.  Run (the old tree as in tree_ab.py):
NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/scan_aligned_iso.py"""
from span_loop import compare, runner  # noqa: E402  (scripts/span_loop.py)
from batchdot.cpu.tiles import tile_span as new_span
from batchdot_old.cpu.tiles import tile_span as old_span

CASES = [("float32", 4000, 32, 32, 32, False), ("float64", 4000, 32, 32, 32, False), ("float64", 8192, 16, 64, 16, True), ("float32", 1000, 64, 64, 64, False), ("float64", 64, 48, 5, 96, False)]
compare({"new": runner(new_span), "old": runner(old_span)}, CASES)
