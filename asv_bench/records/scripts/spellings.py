"""NumPy's spellings of any batch_dot contraction, for the record scripts: the einsum subscripts,
and a matmul of the operands reshaped to stacks of matrices (contracted axis last in x, first
in y; its copies count); the unseen sweeps' random workloads (``draw_unseen``,
``unseen_operand``); and medians of alternated rounds (``alternated_us``)."""
import string
import time

import numpy as np


def einsum_spec(xr, yr, ax, ay):
    """``np.einsum`` subscripts of batch_dot over axes ``(ax, ay)`` of operands of ranks ``xr``, ``yr``."""
    letters = iter(string.ascii_letters)
    b, k = next(letters), next(letters)
    xi = [b] + [k if i == ax else next(letters) for i in range(1, xr)]
    yi = [b] + [k if i == ay else next(letters) for i in range(1, yr)]
    oi = [b] + [c for c in xi[1:] if c != k] + [c for c in yi[1:] if c != k]
    return "".join(xi) + "," + "".join(yi) + "->" + "".join(oi)


def matmul_spelling(x, y, ax, ay, out_shape=None):
    """A function computing the contraction with ``np.matmul`` (reshaped to ``out_shape`` if given)."""
    def f():
        xm = np.moveaxis(x, ax, -1).reshape(x.shape[0], -1, x.shape[ax])
        ym = np.moveaxis(y, ay, 1).reshape(y.shape[0], y.shape[ay], -1)
        r = np.matmul(xm, ym)
        return r if out_shape is None else r.reshape(out_shape)
    return f


def draw_unseen(rng):
    """A random workload of the unseen sweeps: ``(x shape, y shape, axes, plan)``, ranks 2-4,
    sizes drawn log-uniformly, the contracted axes anywhere, operands of 1 KiB to 24 MiB."""
    from batchdot import plan

    while True:
        xr, yr = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        b = int(np.exp(rng.uniform(0, np.log(20000))))
        k = int(np.exp(rng.uniform(0, np.log(600))))
        xs = [b] + [int(np.exp(rng.uniform(0, np.log(300)))) for _ in range(xr - 1)]
        ys = [b] + [int(np.exp(rng.uniform(0, np.log(300)))) for _ in range(yr - 1)]
        ax, ay = int(rng.integers(1, xr)), int(rng.integers(1, yr))
        xs[ax] = ys[ay] = k
        ex, ey = np.prod(xs), np.prod(ys)
        p = plan(tuple(xs), tuple(ys), (ax, ay))
        eo = np.prod(p.out_shape)
        if 256 <= ex * 4 <= 24 << 20 and 256 <= ey * 4 <= 24 << 20 and eo * 4 <= 24 << 20 and p.flops < 2e9:
            return tuple(xs), tuple(ys), (ax, ay), p


def unseen_operand(rng, shape, dt):
    """Random values of ``shape`` and ``dt``, a fifth of the time (rank 3 and more) a view with
    axes 1 and 2 swapped in memory."""
    a = rng.standard_normal(shape).astype(dt)
    if len(shape) >= 3 and rng.random() < 0.2:  # a transposed view of the same shape
        a = np.ascontiguousarray(np.swapaxes(a, 1, 2)).swapaxes(1, 2)
    return a


def alternated_us(fns, rounds):
    """``{name: median microseconds}`` of ``fns`` (``{name: call}``): each called twice first,
    then ``rounds`` rounds of one timed call each, in reverse order every other round."""
    for f in fns.values():
        f(), f()
    ts = {k: [] for k in fns}
    for r in range(rounds):
        for k, f in (fns.items() if r % 2 else reversed(fns.items())):
            t0 = time.perf_counter()
            f()
            ts[k].append(time.perf_counter() - t0)
    return {k: float(np.median(v)) * 1e6 for k, v in ts.items()}
