"""batch_dot inside @njit against the same calls from Python (README, "Inside your own Numba code").

1. A loop of 10**5 tiny calls ((4, 3) . (4, 3), axes=1) inside an @njit function, against
   the same loop in Python.
2. Large calls (small32: (4000, 32, 32) float32 products; large: (8, 384, 384) float64) inside
   @njit, against the Python-level call.

Medians of 11 repeats after warm-up, the calls in a new random order each repeat (compilation and the parallel driver built).

    python asv_bench/records/scripts/njit_calls.py
"""

import statistics
import time

import numpy as np
from numba import njit

from batchdot import batch_dot


@njit
def tiny_loop(x, y, n):
    s = 0.0
    for _ in range(n):
        s += batch_dot(x, y, 1)[0, 0]
    return s


def tiny_loop_python(x, y, n):
    s = 0.0
    for _ in range(n):
        s += batch_dot(x, y, 1)[0, 0]
    return s


@njit
def one_call(x, y):
    return batch_dot(x, y)


def timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main():
    rng = np.random.default_rng(0)
    n = 10**5
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    cases = {
        "small32 float32": (rng.standard_normal((4000, 32, 32)).astype(np.float32),
                            rng.standard_normal((4000, 32, 32)).astype(np.float32)),
        "large float64": (rng.standard_normal((8, 384, 384)), rng.standard_normal((8, 384, 384))),
    }
    tiny_loop(a, b, 10), tiny_loop_python(a, b, 10)
    for x, y in cases.values():
        for _ in range(3):
            one_call(x, y), batch_dot(x, y)
    loops = {"@njit": [], "Python": []}
    large = {name: {"@njit": [], "Python": []} for name in cases}
    jobs = [(loops["@njit"], tiny_loop, (a, b, n)), (loops["Python"], tiny_loop_python, (a, b, n))]
    for name, (x, y) in cases.items():
        jobs += [(large[name]["@njit"], one_call, (x, y)), (large[name]["Python"], batch_dot, (x, y))]
    order = np.random.default_rng(1)
    for _ in range(11):  # a new order each repeat: no call always follows the same one
        for i in order.permutation(len(jobs)):
            times, fn, args = jobs[i]
            times.append(timed(fn, *args))
    med = {k: statistics.median(v) for k, v in loops.items()}
    print(f"10^5 tiny calls: @njit {med['@njit'] * 1e3:.1f} ms, Python {med['Python'] * 1e3:.1f} ms, "
          f"@njit {med['Python'] / med['@njit']:.0f}x faster ({med['@njit'] / n * 1e9:.0f} ns a call)")
    for name, t in large.items():
        j, p = statistics.median(t["@njit"]), statistics.median(t["Python"])
        print(f"{name}: @njit {j * 1e3:.2f} ms, Python {p * 1e3:.2f} ms, ratio {p / j:.2f} "
              f"(spread @njit {min(t['@njit']) * 1e3:.2f}-{max(t['@njit']) * 1e3:.2f} ms, "
              f"Python {min(t['Python']) * 1e3:.2f}-{max(t['Python']) * 1e3:.2f} ms)")


if __name__ == "__main__":
    main()
