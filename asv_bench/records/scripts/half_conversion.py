"""float16 <-> float32 conversion of (200000, 64) arrays: NumPy's astype against batchdot.cpu.halves.convert.

Medians of 5 after one warm-up call, milliseconds.
"""
import time

import numpy as np

from batchdot.cpu.halves import convert

x = np.random.default_rng(0).standard_normal((200000, 64)).astype(np.float16)
xf = x.astype(np.float32)


def t(fn, n=5):
    fn()
    ts = []
    for _ in range(n):
        s = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - s)
    return np.median(ts) * 1e3


print("widen  astype %.1f ms  convert %.1f ms" % (t(lambda: x.astype(np.float32)), t(lambda: convert(x, np.float32))))
print("narrow astype %.1f ms  convert %.1f ms" % (t(lambda: xf.astype(np.float16)), t(lambda: convert(xf, np.float16))))
