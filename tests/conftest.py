import os

from hypothesis import HealthCheck, settings

# Numba compiles a kernel the first time it meets a dtype/layout combination: that first
# example can take a second, so no per-example deadline.
settings.register_profile(
    "default", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
