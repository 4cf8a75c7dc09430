import os

from hypothesis import HealthCheck, settings

# Numba compiles a kernel the first time it meets a dtype/layout combination: that first
# example can take a second, so no per-example deadline.
settings.register_profile(
    "default", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=100, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# In CI every extra is installed, so a skipped test means a missing install step or a broken
# check: fail the run instead of reporting it as passing.
_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        print(f"\nCI: {len(_skipped)} tests were skipped; nothing may be skipped in CI:")
        for nodeid in _skipped[:20]:
            print(f"  {nodeid}")
        session.exitstatus = 1
