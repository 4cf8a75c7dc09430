"""First-call CPU seconds of two trees, fresh process (run with an empty or a warm NUMBA_CACHE_DIR).

    python asv_bench/records/scripts/first_call_ab.py batchdot_old|batchdot small32|rowdot|split|qkt16|shortdots|narrow|tinyrows|large512|qkt512|k1row|qkt9|tinymatmul|small8|midaxis|squash|rows3|k1single|fold|tail|shortcol|vecmat|sweep|rows1|narrow22|qkshort|fewrows [XDTYPE,YDTYPE] [twice]

``batchdot_old``: another tree's package copied under that name (see njit_compile_ab.py).
Prints the CPU seconds of importing the package and one call, beyond ``import numba`` and a
trivial ``@njit`` (the bench's ``--first-call`` floor), float32 unless dtypes are given.  With
``twice`` last, also the second call's (where a call that repeats builds its parallel entry and,
once per machine, the parallel driver).
"""
import importlib
import resource
import sys

import numba
import numpy as np


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@numba.njit
def trivial(a):
    return a + 1


trivial(1)
shapes = {"small32": ((4000, 32, 32), (4000, 32, 32), None), "rowdot": ((200000, 64), (200000, 64), 1),
          "split": ((51, 27, 18, 144), (51, 20, 18), (2, 2)), "qkt16": ((16, 16, 32), (16, 1000, 32), (2, 2)),
          "shortdots": ((500, 2, 4), (500, 50, 4), (2, 2)), "narrow": ((100, 32, 64), (100, 32, 4), (1, 1)),
          "tinyrows": ((4, 3), (4, 3), 1), "large512": ((16, 512, 512), (16, 512, 512), None),
          "qkt512": ((8, 512, 64), (8, 512, 64), (2, 2)), "k1row": ((43690, 1), (43690, 12, 1), (1, 2)),
          "qkt9": ((3, 9, 245), (3, 125, 245), (2, 2)), "tinymatmul": ((4, 2, 3), (4, 3, 5), None),
          "small8": ((50000, 8, 8), (50000, 8, 8), None), "midaxis": ((8192, 64, 16), (8192, 64, 16), 1),
          "squash": ((64, 12, 4, 5), (64, 12, 5, 8), None), "rows3": ((1000, 3), (1000, 3), 1),
          "k1single": ((11549, 1), (11549, 1, 1), (1, 1)), "fold": ((48, 106, 5, 23), (48, 2, 5, 4), (2, 2)),
          "tail": ((1365, 24, 24), (1365, 24, 24), None),
          "shortcol": ((353, 31, 42, 4), (353, 1, 4), (3, 2)), "vecmat": ((10000, 64), (10000, 32, 64), (1, 2)),
          "sweep": ((13, 508, 2), (13, 2, 380), None), "rows1": ((6628, 5), (6628, 5, 1, 1), (1, 1)),
          "narrow22": ((208, 508, 5), (208, 22, 508), (1, 2)), "qkshort": ((300, 20, 5), (300, 100, 5), (2, 2)),
          "fewrows": ((500, 3, 64), (500, 64, 200), None)}
twice = sys.argv[-1] == "twice"
argv = [a for a in sys.argv if a != "twice"]
xs, ys, axes = shapes[argv[2]]
xd, yd = argv[3].split(",") if len(argv) > 3 else ("float32", "float32")
x, y = np.ones(xs, xd), np.ones(ys, yd)
t0 = cpu()
pkg = importlib.import_module(sys.argv[1])
pkg.batch_dot(x, y, axes)
t1 = cpu()
second = ""
if twice:
    pkg.batch_dot(x, y, axes)
    second = f", second {cpu() - t1:.2f} s"
print(f"{argv[1]:12s} {argv[2]} {xd},{yd} first call {t1 - t0:.2f} s{second}")
