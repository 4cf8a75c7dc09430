"""The size of tile_span's compiled code per dtype (a deterministic stand-in for its compile time,
which this VM's noise moves by half): LLVM functions, IR instructions and assembly lines.

    cd /tmp; NUMBA_CACHE_DIR=$(mktemp -d) PYTHONPATH=<tree> python span_code_size.py LABEL [SPAN]

SPAN: another span of batchdot.cpu.tiles (default tile_span), e.g. narrow_span, row_span.
"""
import sys, numpy as np
from batchdot.cpu import tiles
from batchdot.cpu.jit import compile_for
span = getattr(tiles, sys.argv[2] if len(sys.argv) > 2 else "tile_span")
for dt in map(np.dtype, ("float32", "float64")):
    x = np.ones((4, 32, 32), dt); o = np.empty((4, 32, 32), dt)
    compile_for(span, (x, x, o, dt.type(0), 0, 4), general=True)
    lib = span.overloads[span.signatures[-1]].library
    ir = lib.get_llvm_str()
    asm = lib.get_asm_str()
    nfun = ir.count("\ndefine ")
    ninst = sum(1 for l in ir.splitlines() if l.startswith("  ") and not l.strip().startswith(";"))
    print(f"{sys.argv[1]} {span.__name__} {dt}: {nfun} LLVM functions, {ninst} IR instructions, {len(asm.splitlines())} lines of assembly")
