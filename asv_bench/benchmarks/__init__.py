"""airspeed velocity (asv) benchmarks of batchdot.

Modules:

- :mod:`.common`     the workload table, seeded data, base classes, the JIT warm-up.
- :mod:`.workloads`  one class per workload family (float32 and float64): ``batch_dot`` timed
  allocating and into ``out=``; ``NumPy``: the einsum and matmul spellings of the same.
- :mod:`.memory`     peak memory of ``batch_dot`` on every workload, and the floor (inputs and
  result, no ``batch_dot`` call) it is read against.
- :mod:`.sweeps`     batch-size and matrix-size sweeps (float32), beside ``np.matmul``.
- :mod:`.planning`   the cost of ``batchdot.plan`` (cache hit and miss).
- :mod:`.gpu`        the CUDA path; skipped (``NotImplementedError`` in ``setup``) without a GPU.

Only times and peak memory are recorded: asv ranks every value as lower-is-better, so a
throughput (GB/s, GFLOP/s) would turn each speed-up into a flagged regression.

asv calls ``setup`` again before every timed sample: each class builds its data and warms
``batch_dot`` once per process and keeps them.  Every benchmark class has a ``test_params``
attribute: its smallest parameter combination, which ``tests/test_asv.py`` runs once so that
a broken benchmark fails CI.
"""
