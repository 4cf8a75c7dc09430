"""batchdot: the Keras/MindSpore ``batch_dot`` — exact, fast, Numba-compiled.

Public names:

- :func:`batch_dot` — the batchwise dot product.
- :func:`plan` / :class:`ContractionPlan` — shape inference without data; a cached,
  callable plan.
- :class:`thread_limit` — cap the threads of batchdot's CPU kernels (call or context manager).
- ``KERNELS`` — the CPU kernel families ``kernel=`` accepts.
- :func:`precompile` — build the CPU kernels ahead of the first call (``python -m batchdot compile``).

``batch_dot`` is also callable inside the user's ``@njit`` functions (:mod:`batchdot._overload`).
``import batchdot`` imports no Numba; the CPU engine (:mod:`batchdot.cpu`) is imported on the
first call, or when ``thread_limit`` is first used.
"""

import sys as _sys

from ._api import batch_dot
from ._plan import ContractionPlan, plan

if "numba" in _sys.modules:  # else Numba's entry point registers it (pyproject.toml)
    from . import _overload  # noqa: F401  (batch_dot inside @njit)

__all__ = ["batch_dot", "plan", "ContractionPlan", "thread_limit", "KERNELS", "precompile", "__version__"]
__version__ = "0.1.0"


def __getattr__(name):
    if name == "thread_limit":
        from .cpu.policy import thread_limit

        return thread_limit
    if name == "precompile":
        from .cpu import precompile

        return precompile
    if name == "KERNELS":
        from .cpu.choose import KERNELS

        return KERNELS
    raise AttributeError(f"module 'batchdot' has no attribute {name!r}")
