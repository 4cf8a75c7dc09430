"""Record tf.keras.backend.batch_dot on random valid cases into tests/data/tf_batch_dot.npz.

Needs TensorFlow (not a dependency of batchdot); run it in an environment that has it:

    python -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu
    /tmp/tf/bin/python tests/make_tf_fixture.py

``tests/test_tf_compat.py`` then checks batchdot against these recorded results in every
test run, without TensorFlow.
"""

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from batchdot.testing import random_case  # noqa: E402  (pure NumPy; no Numba needed)

import tensorflow as tf  # noqa: E402

OUT = pathlib.Path(__file__).with_name("data") / "tf_batch_dot.npz"


def main(n=400, seed=20261121):
    rng = np.random.default_rng(seed)
    arrays = {}
    kept = 0
    for i in range(n):
        dtype = (np.float64, np.float32, np.int32)[i % 3]
        x, y, axes = random_case(rng, max_rank=4, max_size=4, dtypes=(dtype,))
        if dtype == np.int32:  # keep TF's int32 matmul free of overflow
            x, y = x % 7 - 3, y % 7 - 3
        axes_arg = axes.tolist() if isinstance(axes, np.ndarray) else axes
        try:
            out = tf.keras.backend.batch_dot(tf.constant(x), tf.constant(y), axes=axes_arg).numpy()
        except Exception as e:  # record what TF cannot do, and say so
            print(f"case {i}: TF failed on {x.shape} {y.shape} axes={axes_arg}: {type(e).__name__}")
            continue
        arrays[f"x{kept}"], arrays[f"y{kept}"], arrays[f"out{kept}"] = x, y, out
        arrays[f"axes{kept}"] = np.atleast_1d(np.asarray(axes_arg, dtype=np.int64))
        kept += 1
    arrays["n"] = np.array(kept)
    arrays["tf_version"] = np.array(tf.__version__)
    np.savez_compressed(OUT, **arrays)
    print(f"recorded {kept} of {n} cases with TensorFlow {tf.__version__} into {OUT}")


if __name__ == "__main__":
    main()
