"""One thread: the staged copy of an operand stored transposed (``y`` stored ``(B, N, K)`` read as
``(B, K, N)``) by ``cpu.stage`` (``kernels.transposed_copy``, vector squares) against NumPy's
copy (what ``stage`` ran before 2026-12-08), each into new memory as in a call; medians of
interleaved rounds.

    NUMBA_NUM_THREADS=1 python asv_bench/records/scripts/stage_transposed.py [small]
"""

import numpy as np
from spellings import alternated_us

from batchdot import cpu

CASES = [((4368, 23, 43), np.float64), ((4368, 23, 43), np.float32), ((200, 64, 100), np.float32),
         ((64, 12, 40), np.float64), ((16, 700, 64), np.float32), ((1000, 3, 200), np.int16)]
import sys  # noqa: E402
if sys.argv[1:] == ["small"]:  # around the bound of cpu.FLIP_FROM
    CASES = [((64, 12, 40), np.float64), ((32, 32, 64), np.float32), ((64, 32, 64), np.float32),
             ((128, 32, 64), np.float32), ((64, 64, 64), np.float64), ((8, 100, 100), np.float32)]
for (B, N, K), dt in CASES:
    t = np.random.default_rng(0).standard_normal((B, N, K)).astype(dt).transpose(0, 2, 1)
    fs = {"stage": lambda: cpu.stage(t), "numpy": lambda: np.ascontiguousarray(t)}
    m = alternated_us(fs, 21)
    print(f"(B, N, K) = ({B}, {N}, {K}) {np.dtype(dt).name:8s} {t.nbytes / 1e6:7.2f} MB  stage {m['stage']:9.1f} us  "
          f"numpy {m['numpy']:9.1f} us  numpy/stage {m['numpy'] / m['stage']:5.2f}", flush=True)
