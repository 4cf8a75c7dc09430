"""``python -m batchdot``: the demonstration; ``python -m batchdot bench``: the comparison.

The demonstration prints the worked examples with their results and shapes, then a short
side-by-side timing table against NumPy on built-in random data.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from . import batch_dot, plan

EXAMPLES = [
    ("x=[[1,2],[3,4]], y=[[5,6],[7,8]], axes=1", np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]]), 1),
    ("x (32,20,1), y (32,30,20), axes=[1,2]", np.ones((32, 20, 1)), np.ones((32, 30, 20)), [1, 2]),
    ("x (100,20), y (100,30,20), axes=(1,2)", np.ones((100, 20)), np.ones((100, 30, 20)), (1, 2)),
    ("x (10,12,4,5), y (10,12,5,8), axes=None", np.ones((10, 12, 4, 5)), np.ones((10, 12, 5, 8)), None),
    ("x ones (2,2), y ones (2,3,2), axes=(1,2)", np.ones((2, 2)), np.ones((2, 3, 2)), (1, 2)),
    ("x (2,2,3), y (2,3,2), axes=(-1,-2)", np.ones((2, 2, 3)), np.ones((2, 3, 2)), (-1, -2)),
]

#: (name, x shape, y shape, axes, NumPy spelling) for the demo's timing table.
DEMO_WORKLOADS = [
    ("rowdot", (200_000, 64), (200_000, 64), 1, lambda x, y: (x * y).sum(-1, keepdims=True)),
    ("vecmat", (10_000, 64), (10_000, 32, 64), (1, 2), lambda x, y: np.einsum("bk,bnk->bn", x, y, optimize=True)),
    ("small8", (50_000, 8, 8), (50_000, 8, 8), None, np.matmul),
    ("small32", (4_000, 32, 32), (4_000, 32, 32), None, np.matmul),
    ("squash", (64, 12, 4, 5), (64, 12, 5, 8), None,
     lambda x, y: np.einsum("bijk,bmkn->bijmn", x, y, optimize=True)),
    ("tiny", (4, 3), (4, 3), 1, lambda x, y: (x * y).sum(-1, keepdims=True)),
]


def median_time(fn, repeat=15, budget=0.5):
    """Median seconds of ``fn()`` over ``repeat`` runs (fewer if it would exceed ``budget``).

    Two untimed calls first: a call's first run compiles its serial kernel, the second builds
    the parallel driver (``batchdot.cpu``), and neither belongs in a warm timing.
    """
    fn()
    fn()
    times = []
    t_end = time.perf_counter() + budget
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() > t_end and len(times) >= 3:
            break
    return float(np.median(times))


def _fmt_time(s):
    return f"{s * 1e6:8.1f} us" if s < 1e-3 else f"{s * 1e3:8.2f} ms"


def demo(out=sys.stdout):
    print("batchdot: the Keras/MindSpore batch_dot, compiled with Numba\n", file=out)
    print("Worked examples", file=out)
    for label, x, y, axes in EXAMPLES:
        r = batch_dot(x, y, axes)
        print(f"  {label:44s} -> shape {r.shape}", file=out)
        if r.size <= 8:
            print("    " + np.array2string(r, prefix="    "), file=out)
    print("\nShape inference without data:", file=out)
    print("  " + str(plan((10, 12, 4, 5), (10, 12, 5, 8))).replace("\n", "\n  "), file=out)

    print("\nTiming against NumPy (float32, median of repeats after JIT warm-up)", file=out)
    print(f"  {'workload':10s} {'batchdot':>12s} {'numpy':>12s} {'ratio':>7s}", file=out)
    rng = np.random.default_rng(0)
    for name, xs, ys, axes, peer in DEMO_WORKLOADS:
        x = rng.standard_normal(xs, dtype=np.float32)
        y = rng.standard_normal(ys, dtype=np.float32)
        t_ours = median_time(lambda: batch_dot(x, y, axes))
        t_np = median_time(lambda: peer(x, y))
        err = np.max(np.abs(batch_dot(x, y, axes) - peer(x, y).reshape(plan(xs, ys, axes).out_shape)))
        print(f"  {name:10s} {_fmt_time(t_ours):>12s} {_fmt_time(t_np):>12s} {t_np / t_ours:6.2f}x"
              f"   (max |diff| {err:.1e})", file=out)
    print("\nRatio = NumPy time / batchdot time (> 1 means batchdot is faster). One NumPy spelling each;"
          "\nfor the best spelling, ceilings and roofline: python -m batchdot bench", file=out)


DESCRIPTION = """\
batchdot: the Keras/MindSpore batch_dot with Numba kernels.

The durations below were measured with `time` on a 2-core VM shared with other jobs (uptime
load averages 1-13 at the start of a run; bench --help has each mode's).
"""

BENCH_DESCRIPTION = """\
batchdot against the best NumPy spelling of each workload (np.matmul, np.einsum or (x*y).sum,
timed interleaved), with this machine's ceilings measured first: read bandwidth per cache
level, FMA peak and BLAS GEMM.

wall time of each mode for the default two dtypes (float32, float64), measured with `time` on
a 2-core VM shared with other jobs, [uptime's 1-min load average at the start]:
  mode            full            --quick
  (default)       3.3 min [1.3]   1.1 min [1.1]     (3.9 min [3.4], 2.4 min [3.7] in the loaded hour)
  --busy          3.4 min [2.1]   2.3 min [13.2]
  --pipeline      3.5 min [3.4]   1.7 min [5.8]
  --first-call    2.3 min [3.7]   (no --quick)
  --blas          2.6 min [3.1]   4.9 min [5.6]
The other rows come from that loaded hour: expect less on a quiet machine, where --quick took
a third of the full run (under load it saved little; --blas --quick, at a higher load, took
longer than --blas).  The table's share grows with the number of --dtype specs; a dtype's
first run also compiles its kernels (seconds each, then cached on disk).

--dtype SPEC (repeatable; default float32 and float64), checked before anything is measured:
  X          both operands of dtype X                e.g. int8, float16, f4, complex64
  X,Y        a mixed pair: x of dtype X, y of Y      e.g. float32,float64  int8,uint8
  X[,Y]:R    batch_dot(x, y, dtype=R)                e.g. int8:int32  float32,float64:float32
             (NumPy's spellings get the operands cast to R, inside the timed call)
  Names: NumPy spellings of bool, int8-64, uint8-64, float16/32/64, complex64/128; R must be
  reachable under same_kind casting.  --blas takes float32 and float64 only.

needs: numba, numpy; optional threadpoolctl (NumPy's BLAS and its threads in the header) and
tensorflow (a peer when installed): pip install 'batchdot[bench]' installs threadpoolctl.
"""


def main(argv=None):
    from .bench.cpu import WORKLOADS, blas_spec
    from .bench.spec import SPEC_SYNTAX, dtype_spec

    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="python -m batchdot", description=DESCRIPTION, formatter_class=fmt)
    sub = parser.add_subparsers(dest="command", metavar="{demo,bench,compile}")
    sub.add_parser("demo", help="worked examples and a short timing table against NumPy (the default; 7 s)")
    bench = sub.add_parser("bench", help="the full comparison against the best NumPy spellings, with ceilings "
                                         "(3-4 min; its modes and their durations: bench --help)",
                           description=BENCH_DESCRIPTION, formatter_class=fmt)
    bench.add_argument("--quick", action="store_true", help="fewer repeats and shorter ceilings")
    bench.add_argument("--dtype", action="append", type=dtype_spec, metavar="SPEC",
                       help=f"{SPEC_SYNTAX}: operand dtypes and dtype= target (see above)")
    bench.add_argument("--workload", action="append", choices=list(WORKLOADS), metavar="NAME",
                       help=f"only these workloads ({', '.join(WORKLOADS)}); the idle table then skips "
                            "the memory and cold-start lines")
    scene = bench.add_mutually_exclusive_group()
    scene.add_argument("--busy", action="store_true", help="with one core kept busy by a spinning process")
    scene.add_argument("--pipeline", action="store_true",
                       help="every call (batchdot's and NumPy's) right after np.matmul of a (384, 384) float32 pair")
    scene.add_argument("--first-call", action="store_true",
                       help="CPU seconds of each workload's first call in a fresh process with an empty cache")
    scene.add_argument("--blas", action="store_true", help="compare np.matmul and the tiles on large products instead")
    comp = sub.add_parser("compile", help="build the CPU kernels ahead of the first call (Numba's on-disk cache)")
    comp.add_argument("--dtype", action="append", help="result dtypes (default float32 and float64)")
    comp.add_argument("--family", action="append", help="kernel families (default tile, dot, rowdot, generic)")
    args = parser.parse_args(argv)
    if args.command == "compile":
        from .cpu import PRECOMPILE_DTYPES, PRECOMPILE_FAMILIES, precompile

        try:
            built = precompile(args.dtype or PRECOMPILE_DTYPES, args.family or PRECOMPILE_FAMILIES, sys.stderr)
        except (TypeError, ValueError) as e:
            parser.error(str(e))
        for fam, dt, seconds in built:
            print(f"{fam:8s} {dt:10s} {seconds:6.2f} s")
        return 0
    if args.command == "bench":
        if args.blas:
            bad = [str(s) for s in args.dtype or () if not blas_spec(s)]
            if bad:
                bench.error(f"--blas compares np.matmul's BLAS with the tiles: --dtype float32 or float64 only, "
                            f"got {', '.join(bad)}")
            if args.workload:
                bench.error("--blas has its own shapes: no --workload")
        from .bench.cpu import main as bench_main

        scene_name = ("busy" if args.busy else "pipeline" if args.pipeline else
                      "first-call" if args.first_call else "idle")
        return bench_main(quick=args.quick, dtypes=args.dtype, blas=args.blas, scene=scene_name,
                          workloads=args.workload)
    demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
