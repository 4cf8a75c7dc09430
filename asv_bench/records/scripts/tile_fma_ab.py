"""The tiles before and after this change (fused multiply-adds under a magnitude bound,
half-width tiles for N <= W/2, C read only when accumulated; the policy's two-strike
verdicts), in one process: the previous tree as ``batchdot_old`` (``git archive <commit>
batchdot``, renamed, on PYTHONPATH).  Three scenes, each with both trees and NumPy's best
spelling interleaved (medians): idle; one core kept busy by a spinning process; every call
right after ``np.matmul`` of a (384, 384) float32 pair (the time of the pair is reported).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/tmp/oldpkg python asv_bench/records/scripts/tile_fma_ab.py"""
import sys

# the same run as tree_ab.py (which grew out of this script) on the tile workloads
sys.argv[1:] = ["small8", "small32", "midaxis", "squash", "large512"]
import tree_ab  # noqa: E402

tree_ab.main()
