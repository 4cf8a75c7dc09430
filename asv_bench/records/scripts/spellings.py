"""NumPy's spellings of any batch_dot contraction, for the record scripts: the einsum subscripts,
and a matmul of the operands reshaped to stacks of matrices (contracted axis last in x, first
in y; its copies count)."""
import string

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
