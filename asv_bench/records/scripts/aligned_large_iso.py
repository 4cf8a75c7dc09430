"""aligned_operands_iso.py on larger products. One thread: the tiles (tile_span in an @njit loop, the same arrays each repeat: in cache
where they fit) on operands and result whose data start on a cache line ("al64"), 16 bytes
past one ("off16": where NumPy's allocations usually start), with only the result aligned
("out64") or only y ("y64"); microseconds, medians of 9 interleaved repeats.
Run (in scripts/): NUMBA_NUM_THREADS=1 python aligned_large_iso.py"""
from aligned_operands_iso import measure

measure([((16, 512, 512), (16, 512, 512)), ((64, 256, 256), (64, 256, 256)), ((256, 128, 128), (256, 128, 128)),
         ((1000, 64, 64), (1000, 64, 64))])
