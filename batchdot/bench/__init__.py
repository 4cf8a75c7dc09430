"""Benchmarks of batchdot against its peers; never imported by the library itself.

- :mod:`batchdot.bench.cpu` — ``python -m batchdot bench``: the CPU workloads against NumPy,
  with measured ceilings, idle, with a core kept busy (``--busy``) and beside NumPy's BLAS
  (``--pipeline``); :mod:`batchdot.bench.spec` parses its ``--dtype`` specs (any supported
  dtype, a mixed pair, a ``dtype=`` target);
- :mod:`batchdot.bench.gpu` — ``python -m batchdot.bench.gpu``: the CUDA back end;
- :mod:`batchdot.bench.dask` — ``python -m batchdot.bench.dask``: Dask scaling over workers.
"""
