"""CPU seconds to compile the complex tiles' span alone (complex64, every layout's signature),
in a fresh process; run with an empty cache and the tree on PYTHONPATH:

    cd /tmp && NUMBA_CACHE_DIR=$(mktemp -d) PYTHONPATH=<tree> python <this script>
"""
import time

import numpy as np

from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for

x, y, o = (np.zeros(s, np.complex64) for s in ((2, 3, 4), (2, 4, 5), (2, 3, 5)))
t1 = time.process_time()
compile_for(tiles.complex_span, (x, y, o, np.complex64(0), 0, 2), general=True)
print(f"{tiles.__file__}: complex_span compile {time.process_time() - t1:.2f} s CPU")
