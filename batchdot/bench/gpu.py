"""GPU benchmark of the CUDA back end: ``python -m batchdot.bench.gpu`` on a machine with a GPU.

Times ``batch_dot`` on device arrays for the performance workloads of the CPU benchmark,
scaled up for a GPU, with CUDA events (median of repeats, after a warm-up that includes
JIT compilation), next to the best peers that are importable -- ``cupy.matmul`` /
``cupy.einsum`` and ``torch.bmm`` / ``torch.einsum``, both with TF32 off so every
contender computes in true float32/float64 -- and next to a ceiling: the time to stream the
workload's bytes (inputs read once, output written once) at the measured device-to-device
copy bandwidth.

No GPU numbers have been measured yet (no GPU was available while this was written); only
the bookkeeping below (workloads, bytes, flops, statistics, table) is tested without one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

import numpy as np

from .._plan import plan

#: (name, x shape, y shape, axes, einsum spelling for the peers or None for matmul)
WORKLOADS = [
    ("rowdot", (2_000_000, 64), (2_000_000, 64), 1, "bk,bk->b"),
    ("vecmat", (100_000, 64), (100_000, 32, 64), (1, 2), "bk,bnk->bn"),
    ("small8", (1_000_000, 8, 8), (1_000_000, 8, 8), None, None),
    ("small32", (100_000, 32, 32), (100_000, 32, 32), None, None),
    ("large512", (32, 512, 512), (32, 512, 512), None, None),
]
DTYPES = ("float32", "float64")


def workload_bytes(x_shape, y_shape, axes, dtype):
    """Bytes a perfect kernel moves: both inputs read once, the output written once."""
    p = plan(x_shape, y_shape, axes)
    items = np.prod(x_shape) + np.prod(y_shape) + np.prod(p.out_shape)
    return int(items) * np.dtype(dtype).itemsize


def workload_flops(x_shape, y_shape, axes):
    """Floating-point operations: ``2 B M N K``."""
    return plan(x_shape, y_shape, axes).flops


def median_ms(samples):
    """Median of timings in milliseconds (``nan`` for none)."""
    return float(statistics.median(samples)) if samples else float("nan")


def format_row(name, dtype, ours_ms, peers, floor_ms, flops):
    """One table row: our time, each peer's time and ratio, the bandwidth floor, GFLOP/s."""
    cells = [f"{name:9s}", f"{dtype:8s}", f"{ours_ms:10.3f}"]
    for peer_ms in peers:
        cells.append(f"{peer_ms:10.3f} ({peer_ms / ours_ms:5.2f}x)" if np.isfinite(peer_ms) else f"{'-':>19s}")
    cells.append(f"{floor_ms:9.3f} ({floor_ms / ours_ms:4.0%})")
    cells.append(f"{flops / ours_ms / 1e6:9.1f}")
    return " ".join(cells)


def header(peer_names):
    cols = [f"{'workload':9s}", f"{'dtype':8s}", f"{'ours ms':>10s}"]
    cols += [f"{n + ' ms (ratio)':>19s}" for n in peer_names]
    cols += [f"{'floor ms (of ours)':>16s}", f"{'GFLOP/s':>9s}"]
    return " ".join(cols)


# --------------------------------------------------------------------------- GPU parts


def _event_timer(cuda, repeat):
    def time_ms(fn):
        fn()  # warm-up (JIT compilation, allocator)
        cuda.synchronize()
        samples = []
        for _ in range(repeat):
            start, stop = cuda.event(), cuda.event()
            start.record()
            fn()
            stop.record()
            stop.synchronize()
            samples.append(cuda.event_elapsed_time(start, stop))
        return median_ms(samples)

    return time_ms


def copy_bandwidth(cuda, time_ms, nbytes=1 << 30):
    """Device-to-device copy bandwidth in bytes/s (read + write of ``nbytes``)."""
    src = cuda.device_array(nbytes // 8, np.float64)
    dst = cuda.device_array(nbytes // 8, np.float64)
    ms = time_ms(lambda: dst.copy_to_device(src))
    return 2 * nbytes / (ms / 1e3)


def _peers():
    """Importable peers: name -> (to_device(host array), run(spec, x, y))."""
    peers = {}
    os.environ.setdefault("CUPY_TF32", "0")  # before CuPy is imported: no TF32 in cuBLAS
    try:
        import cupy

        def cupy_run(spec, x, y):
            return cupy.matmul(x, y) if spec is None else cupy.einsum(spec, x, y)

        peers["cupy"] = (cupy.asarray, cupy_run)
    except ImportError:
        pass
    try:
        import torch

        if torch.cuda.is_available():
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False

            def torch_run(spec, x, y):
                return torch.bmm(x, y) if spec is None else torch.einsum(spec, x, y)

            peers["torch"] = (lambda a: torch.as_tensor(a, device="cuda"), torch_run)
    except ImportError:
        pass
    return peers


def main(argv=None):
    """Run the benchmark and print the table; 2 without a usable GPU."""
    parser = argparse.ArgumentParser(prog="python -m batchdot.bench.gpu", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--dtype", action="append", choices=DTYPES)
    parser.add_argument("--only", action="append", help="workload names to run")
    args = parser.parse_args(argv)
    from numba import cuda

    if not cuda.is_available():
        print("batchdot GPU benchmark requires a usable CUDA GPU, got none", file=sys.stderr)
        return 2
    from .. import batch_dot

    time_ms = _event_timer(cuda, args.repeat)
    bandwidth = copy_bandwidth(cuda, time_ms)
    peers = _peers()
    print(f"device: {cuda.get_current_device().name}; copy bandwidth {bandwidth / 1e9:.0f} GB/s")
    print(header(list(peers)))
    rng = np.random.default_rng(0)
    for name, xs, ys, axes, spec in WORKLOADS:
        if args.only and name not in args.only:
            continue
        for dtype in args.dtype or DTYPES:
            x = rng.standard_normal(xs).astype(dtype)
            y = rng.standard_normal(ys).astype(dtype)
            dx, dy = cuda.to_device(x), cuda.to_device(y)
            ours = time_ms(lambda: batch_dot(dx, dy, axes))
            peer_ms = []
            for to_dev, run in peers.values():
                px, py = to_dev(x), to_dev(y)
                peer_ms.append(time_ms(lambda: run(spec, px, py)))
            floor = workload_bytes(xs, ys, axes, dtype) / bandwidth * 1e3
            print(format_row(name, dtype, ours, peer_ms, floor, workload_flops(xs, ys, axes)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
