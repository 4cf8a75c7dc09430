"""The cost of planning: ``batchdot.plan`` on a cache hit and on a cache miss.

The cost of a whole call on the smallest inputs is ``workloads.Tiny``.
"""

import batchdot
from batchdot import plan

#: Shapes and axes of the planning cases, from one free axis to several.
CASES = {
    "rank2": ((4, 3), (4, 3), 1),
    "rank3": ((100, 20), (100, 30, 20), (1, 2)),
    "rank4": ((10, 12, 4, 5), (10, 12, 5, 8), None),
}


class Planning:
    """Planning overhead: what a repeated call pays (hit) and what a new shape pays (miss).

    ``number`` calls per sample, each timed on its own (asv re-runs ``setup`` between them):
    one call of a few microseconds per sample would be mostly clock and loop noise.
    """

    params = [list(CASES)]
    param_names = ["case"]
    test_params = ("rank2",)
    number = 200
    rounds = 1  # as every class here (see common._Benchmark)

    def setup(self, case):
        self.x_shape, self.y_shape, self.axes = CASES[case]
        plan(self.x_shape, self.y_shape, self.axes)  # now cached

    def time_plan_cache_hit(self, case):
        plan(self.x_shape, self.y_shape, self.axes)

    def time_plan_cache_miss(self, case):
        # Emptying the cache first (cheap: it then holds one entry) makes every call a miss.
        batchdot._plan._plan_cached.cache_clear()
        plan(self.x_shape, self.y_shape, self.axes)

