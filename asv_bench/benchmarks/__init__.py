"""airspeed velocity (asv) benchmarks of batchdot.

Modules:

- :mod:`.common`     the workload table, seeded data, NumPy baselines, timing helpers.
- :mod:`.workloads`  one class per workload family (float32 and float64): time, peak memory,
  GB/s and GFLOP/s, each beside its NumPy baseline.
- :mod:`.sweeps`     batch-size and matrix-size sweeps (float32).
- :mod:`.planning`   the cost of ``batchdot.plan`` (cache hit and miss) and of a whole tiny call.
- :mod:`.gpu`        the CUDA path; skipped (``NotImplementedError`` in ``setup``) without a GPU.

Every benchmark class has a ``test_params`` attribute: its smallest parameter combination,
which ``tests/test_asv.py`` runs once so that a broken benchmark fails CI.
"""
