"""batchdot: the Keras/MindSpore ``batch_dot`` — exact, fast, Numba-compiled.

Public names:

- :func:`batch_dot` — the batchwise dot product.
- :func:`plan` / :class:`ContractionPlan` — shape inference without data; a cached,
  callable plan.
"""

from ._dispatch import batch_dot
from ._plan import ContractionPlan, plan

__all__ = ["batch_dot", "plan", "ContractionPlan", "__version__"]
__version__ = "0.1.0"
