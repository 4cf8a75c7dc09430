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


#: Tests that take many seconds (fresh processes that compile, notebooks, a cluster, many
#: compiled signatures): collected first, so that the README's two test processes
#: (pytest-xdist hands out tests in collection order) share them and then finish together on
#: the short ones, instead of one process waiting for the other's last long test.
SLOW_FIRST = frozenset({
    "test_random_calls_equal_the_python_api", "test_users_cache_true_function_loads_from_the_cache",
    "test_prange_with_large_calls_on_every_threading_layer", "test_notebook_runs",
    "test_quick_bench_run_for_integer_mixed_and_target_dtypes", "test_plain_simulator_runs_every_family",
    "test_distributed_inputs_larger_than_a_worker", "test_random_cases",
    "test_kernels_compose_in_users_parallel_function", "test_readme_njit_example_runs",
    "test_dtype_aliases_are_compared_by_value",
})


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: item.originalname not in SLOW_FIRST)  # stable: the rest keep their order
