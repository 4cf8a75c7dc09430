"""``batch_dot`` inside the user's own ``@njit`` code (``batchdot/_overload.py``).

Every jitted result is compared with the Python API's for the same arguments: equal values
(bit for bit: the same kernels run), equal dtypes, equal shapes.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from numba.core.errors import TypingError

from batchdot import batch_dot
from batchdot._plan import AxisError
from batchdot.cpu import policy
from batchdot.testing import assert_batch_dot_close, random_values, with_layout

from strategies import shapes_and_axes

#: Every dtype Numba can type (float16 arrays it cannot: NotImplementedError in typeof).
NJIT_DTYPES = [np.dtype(t) for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float32, np.float64, np.complex64, np.complex128)]
NJIT_PAIRS = [(d, d) for d in NJIT_DTYPES] + [
    (np.dtype(a), np.dtype(b)) for a, b in ((np.int8, np.float32), (np.float32, np.float64), (np.bool_, np.int32),
                                            (np.uint8, np.int8), (np.int64, np.uint64), (np.float32, np.complex128))]
NJIT_LAYOUTS = ("C", "F", "transposed", "strided", "negative", "readonly")


F8 = np.dtype(np.float64)


def same(got, want):
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want, strict=True)


@njit
def _pair(x, y, a, b):
    return batch_dot(x, y, (a, b))


@njit
def _int(x, y, a):
    return batch_dot(x, y, a)


@njit
def _keyword(x, y, a, b):
    return batch_dot(x, y, axes=(a, b))


@njit
def _default(x, y):
    return batch_dot(x, y)


@njit
def _none(x, y):
    return batch_dot(x, y, None)


@settings(max_examples=12)  # each new type combination compiles the caller: seconds each
@given(case=shapes_and_axes(max_rank=5, max_size=4), dtypes=st.sampled_from(NJIT_PAIRS),
       layouts=st.tuples(st.sampled_from(NJIT_LAYOUTS), st.sampled_from(NJIT_LAYOUTS)),
       form=st.sampled_from(["pair", "int", "keyword", "default"]), seed=st.integers(0, 2**32 - 1))
def test_random_calls_equal_the_python_api(case, dtypes, layouts, form, seed):
    xs, ys, _, (ax, ay) = case
    rng = np.random.default_rng(seed)
    x = with_layout(random_values(rng, xs, dtypes[0]), layouts[0])
    y = with_layout(random_values(rng, ys, dtypes[1]), layouts[1])
    a, b = (ax - len(xs) if seed % 2 else ax), (ay - len(ys) if seed % 3 == 0 else ay)
    default = (len(xs) - 1, len(ys) - 1) if len(ys) == 2 else (len(xs) - 1, len(ys) - 2)
    if form == "int" and ax == ay:
        same(_int(x, y, ax), batch_dot(x, y, ax))
    elif form == "default" and (ax, ay) == default:
        same(_default(x, y), batch_dot(x, y))
    elif form == "keyword":
        same(_keyword(x, y, a, b), batch_dot(x, y, axes=(a, b)))
    else:
        same(_pair(x, y, a, b), batch_dot(x, y, (a, b)))


def test_literal_forms_keywords_dtype_and_kernel():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 3, 5)), rng.standard_normal((6, 5, 4))
    x32 = x.astype(np.float32)

    @njit
    def forms(x, y, x32):
        return (batch_dot(x, y, (2, 1)), batch_dot(x, y, (-1, -2)), batch_dot(x, y, axes=(2, 1)),
                batch_dot(x32, y.astype(np.float32), dtype=np.float64), batch_dot(x32, x32, 2, dtype="float64"),
                batch_dot(x, y, kernel="generic"), batch_dot(x, y, device="cpu"), batch_dot(x32, x32, 2, dtype=F8))

    got = forms(x, y, x32)
    want = (batch_dot(x, y, (2, 1)), batch_dot(x, y, (-1, -2)), batch_dot(x, y, axes=(2, 1)),
            batch_dot(x32, y.astype(np.float32), dtype=np.float64), batch_dot(x32, x32, 2, dtype="float64"),
            batch_dot(x, y, kernel="generic"), batch_dot(x, y, device="cpu"), batch_dot(x32, x32, 2, dtype=F8))
    for g, w in zip(got, want):
        same(g, w)
    same(_none(x, y), batch_dot(x, y))
    xb, yb = rng.random((4, 7)) < 0.5, rng.random((4, 7)) < 0.5
    same(_default(xb, yb), batch_dot(xb, yb))  # rank-1 result: (batch, 1)


@pytest.mark.parametrize("xs, ys", [((40, 32, 32), (40, 32, 32)), ((4, 200, 300), (4, 300, 250))])
def test_large_calls_take_the_parallel_policy_and_equal_the_python_api(xs, ys):
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ys).astype(np.float32)
    for _ in range(3):  # the second call builds the parallel driver
        handed = policy.state.to_blas, policy.state.to_tiles
        got, want = _pair(x, y, 2, 1), batch_dot(x, y, (2, 1))
        if (policy.state.to_blas, policy.state.to_tiles) == handed:
            same(got, want)
        else:  # the policy, finding this process's threads contending (another test process
            # compiling beside it), handed a call to BLAS, whose fused multiply-adds round
            # otherwise (seen under pytest -n 2 with an empty Numba cache)
            assert got.shape == want.shape and got.dtype == want.dtype
            assert_batch_dot_close(got, x, y, (2, 1))
            assert_batch_dot_close(want, x, y, (2, 1))


@pytest.mark.parametrize("shape", [(2, 3, 4), (64, 48, 5)])
def test_new_results_start_on_a_cache_line(shape):
    """Results allocated inside @njit start on a cache line (Numba's np.empty: 32 bytes), small
    or large (which the Python API fills), of every dtype."""
    rng = np.random.default_rng(21)
    for dtype in (np.float32, np.float64, np.int16, np.complex128, bool):
        x = (rng.standard_normal(shape) * 3).astype(dtype)
        y = (rng.standard_normal((shape[0], shape[2], 7)) * 3).astype(dtype)
        got = _default(x, y)
        assert got.ctypes.data % 64 == 0 and got.flags.c_contiguous and got.dtype == np.result_type(x, y)
        same(got, batch_dot(x, y))


def test_out_any_layout_overlap_and_checks():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((5, 3, 4, 6)), rng.standard_normal((5, 6, 2))
    want = batch_dot(x, y, (3, 1))

    @njit
    def into(x, y, out):
        r = batch_dot(x, y, (3, 1), out=out)
        return r

    for out in (np.empty((5, 3, 4, 2)), np.empty((5, 3, 4, 2), order="F"), np.empty((5, 3, 8, 2))[:, :, ::2]):
        r = into(x, y, out)
        same(out, want)
        assert r.ctypes.data == out.ctypes.data
    xs = rng.standard_normal((4, 3, 3))
    want = batch_dot(xs, xs)
    same(into_overlap(xs), want)  # out is x itself
    with pytest.raises(ValueError, match=r"batch_dot requires out of shape \(5, 3, 4, 2\), got out of shape"):
        into(x, y, np.empty((5, 3, 4, 3)))
    with pytest.raises(TypingError, match="batch_dot requires out of dtype float64, got out of dtype float32"):
        into(x, y, np.empty((5, 3, 4, 2), np.float32))
    with pytest.raises(TypingError, match="batch_dot requires out of rank 4, got out of rank 3"):
        into(x, y, np.empty((5, 3, 4)))


@njit
def into_overlap(x):
    return batch_dot(x, x.copy(), out=x)


def _python_error(*args, **kwargs):
    with pytest.raises((ValueError, TypeError)) as e:
        batch_dot(*args, **kwargs)
    return type(e.value), str(e.value)


@pytest.mark.parametrize("xs, ys, a, b", [
    ((3, 4, 5), (3, 5, 6), 0, 1),     # batch axis
    ((3, 4, 5), (3, 5, 6), 3, 1),     # out of range
    ((3, 4, 5), (3, 5, 6), -4, 1),    # out of range, negative
    ((3, 4, 5), (3, 5, 6), 1, 1),     # contracted sizes 4 != 5
    ((3, 4, 5), (2, 5, 6), 2, 1),     # batch sizes
])
def test_runtime_errors_are_the_python_api_s(xs, ys, a, b):
    x, y = np.ones(xs), np.ones(ys)
    kind, message = _python_error(x, y, (a, b))
    with pytest.raises(kind) as e:
        _pair(x, y, a, b)
    assert str(e.value) == message


def test_compile_time_errors_carry_the_python_message():
    x3, x1 = np.ones((3, 4, 5)), np.ones(3)

    @njit
    def rank1(x):
        return batch_dot(x, x)

    with pytest.raises(TypingError, match=r"batch_dot requires inputs of rank >= 2"):
        rank1(x1)

    @njit
    def literal_batch_axis(x):
        return batch_dot(x, x, (0, 1))

    with pytest.raises(TypingError, match="batch_dot requires contracted axes other than the batch axis 0"):
        literal_batch_axis(x3)

    @njit
    def literal_out_of_range(x):
        return batch_dot(x, x, 5)

    with pytest.raises(TypingError, match=r"batch_dot requires each axis to lie in \[-3, 2\]"):
        literal_out_of_range(x3)

    @njit
    def bad_dtype(x):
        return batch_dot(x, x, dtype=np.int8)

    with pytest.raises(TypingError, match="batch_dot requires dtype= to be reachable from the inputs"):
        bad_dtype(x3)

    @njit
    def bad_kernel(x):
        return batch_dot(x, x, kernel="bogus")

    with pytest.raises(TypingError, match="batch_dot requires kernel to be one of"):
        bad_kernel(x3)

    @njit
    def float_axes(x, a):
        return batch_dot(x, x, a)

    with pytest.raises(TypingError, match="batch_dot requires axes to be None, an int or a pair of ints"):
        float_axes(x3, 1.0)
    with pytest.raises(AxisError):  # sanity: the Python API raises for the same literal
        batch_dot(x3, x3, 5)


def test_tiny_calls_in_a_jitted_loop():
    @njit
    def loop(x, y, n):
        s = 0.0
        for _ in range(n):
            s += batch_dot(x, y)[1, 0]
        return s

    x, y = np.arange(12.0).reshape(4, 3), np.ones((4, 3))
    assert loop(x, y, 1000) == 1000 * batch_dot(x, y)[1, 0]


def _run(code, env=None, cwd=None):
    env = dict(os.environ, **(env or {}))
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                       timeout=600, cwd=cwd)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.mark.parametrize("layer", ["workqueue", "omp", "tbb"])
def test_prange_with_large_calls_on_every_threading_layer(layer):
    """The workqueue layer aborts the process on a nested region: large calls from a prange
    must run serially there (and, on omp, when OpenMP reports a region)."""
    out = _run("""
        import numba, numpy as np
        from numba import njit, prange
        from batchdot import batch_dot

        @njit(parallel=True)
        def per_item(x, y, out):
            for i in prange(x.shape[0]):
                out[i] = batch_dot(x[i], y[i])

        rng = np.random.default_rng(5)
        x, y = rng.standard_normal((6, 32, 40, 30)), rng.standard_normal((6, 32, 30, 50))
        out = np.empty((6, 32, 40, 50))
        for _ in range(3):
            per_item(x, y, out)
        assert np.array_equal(out, np.stack([batch_dot(x[i], y[i]) for i in range(6)]))
        print(numba.threading_layer())
    """, env=_layer_env(layer))
    assert out.strip() == layer


def _layer_env(layer):
    env = {"NUMBA_THREADING_LAYER": layer}
    if layer == "tbb":  # pip's tbb puts libtbb.so.12 in the environment's lib/
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [os.path.join(sys.prefix, "lib"),
                                                               os.environ.get("LD_LIBRARY_PATH")]))
    return env


def test_users_cache_true_function_loads_from_the_cache(tmp_path):
    script = tmp_path / "user.py"  # Numba caches functions defined in files, not in `python -c`
    script.write_text(textwrap.dedent("""
        import numpy as np
        from numba import njit
        from batchdot import batch_dot

        @njit(cache=True)
        def user(x, y, a):
            return batch_dot(x, y, (a, 1)) + batch_dot(x, y, (a, 1), dtype=np.float64)

        x, y = np.ones((3, 4, 5), np.float32), np.ones((3, 5, 2), np.float32)
        assert np.array_equal(user(x, y, 2), 2 * batch_dot(x, y, (2, 1), dtype=np.float64))
        print(sum(user.stats.cache_hits.values()), sum(user.stats.cache_misses.values()))
    """))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))

    def run():
        r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
        return tuple(map(int, r.stdout.split()))

    assert run() == (0, 1)  # compiled and saved
    assert run() == (1, 0)  # loaded: batch_dot inside a cached function
    # the caller calls the engine's kernels by symbol: loaded without the kernels' own cache,
    # it compiles (and verifies) them before it runs
    kernel_files = [p for p in (tmp_path / "cache").rglob("*.nb*") if "user" not in p.name]
    assert kernel_files
    for p in kernel_files:
        p.unlink()
    assert run() == (1, 0)


def test_registered_through_numbas_entry_point_without_importing_the_engine():
    out = _run("""
        import sys
        import numpy as np
        import batchdot                      # before Numba: registers nothing itself
        assert "numba" not in sys.modules and "batchdot._overload" not in sys.modules
        from numba import njit

        @njit
        def f(x, y):
            return batchdot.batch_dot(x, y, 1)

        print(f(np.ones((2, 3)), np.ones((2, 3))).ravel())
    """)
    assert out.strip() == "[3. 3.]"


def test_numba_disable_jit_keeps_the_python_api_and_user_functions_working():
    _run("""
        import numpy as np
        from numba import njit
        from batchdot import batch_dot
        from batchdot.testing import assert_batch_dot_close, random_values

        rng = np.random.default_rng(6)
        for dt in ("float32", "float64", "int8", "bool", "complex64", "float16", "uint32"):
            x, y = random_values(rng, (3, 40, 30), dt), random_values(rng, (3, 30, 20), dt)
            for _ in range(2):
                assert_batch_dot_close(batch_dot(x, y), x, y)
            out = np.empty((3, 40, 20), np.result_type(x, y))
            assert_batch_dot_close(batch_dot(x, y, out=out), x, y)
        x = np.ones((2, 3))
        assert batch_dot(x, x, 1, kernel="tile").ravel().tolist() == [3.0, 3.0]

        @njit
        def user(x, y):
            return batch_dot(x, y, 1)

        assert user(x, x).ravel().tolist() == [3.0, 3.0]
    """, env={"NUMBA_DISABLE_JIT": "1"})


def test_broadcast_operands_equal_the_python_api():
    rng = np.random.default_rng(7)
    x = np.broadcast_to(rng.standard_normal((3, 1, 4, 5)), (3, 6, 4, 5))
    y = rng.standard_normal((3, 5, 2))
    same(_pair(x, y, 3, 1), batch_dot(x, y, (3, 1)))
    xb, yb = np.broadcast_to(rng.standard_normal((1, 4, 5)), (3, 4, 5)), np.broadcast_to(y[:1], (3, 5, 2))
    same(_pair(xb, yb, 2, 1), batch_dot(xb, yb, (2, 1)))


@pytest.mark.parametrize("dtype", [np.float64, np.bool_, np.complex64])
def test_fortran_ordered_row_dots_equal_the_python_api(dtype):
    """Inside @njit the engine takes the same rule (choose.by_columns): rowdot down the columns
    of Fortran-ordered operands, bool results on the row kernel; complex row dots and
    vector-matrix products on the complex dots in C order (staged where forced on Fortran
    order); Fortran-ordered vector-matrix products down their columns by the dots' column
    path (real results); all bit-identical to the Python API's."""
    rng = np.random.default_rng(11)
    for B, K in [(50, 37), (3, 300), (1, 5)]:
        x = np.asfortranarray(random_values(rng, (B, K), dtype))
        y = np.asfortranarray(random_values(rng, (B, K), dtype))
        same(_int(x, y, 1), batch_dot(x, y, 1))
        xc, yc = np.ascontiguousarray(x), np.ascontiguousarray(y)
        same(_int(xc, yc, 1), batch_dot(xc, yc, 1))
        ym = np.ascontiguousarray(random_values(rng, (B, 7, K), dtype))
        same(_pair(xc, ym, 1, 2), batch_dot(xc, ym, (1, 2)))
        yf = np.asfortranarray(ym)
        same(_pair(x, yf, 1, 2), batch_dot(x, yf, (1, 2)))
    if np.dtype(dtype).kind == "c":
        same(_forced_rowdot(x, y), batch_dot(x, y, 1, kernel="rowdot"))
        np.testing.assert_allclose(batch_dot(x, y, 1, kernel="rowdot"), (x * y).sum(1, keepdims=True), rtol=1e-5)


def test_fortran_ordered_vector_matrix_products_are_not_copied_inside_njit():
    """A Fortran-ordered vector-matrix product inside @njit is read in place (the dots' column
    path), as in the Python API: it allocates no more than the C-ordered call (Numba's own
    allocation counts), where staging y for the tiles allocated one copy more."""
    from numba.core.runtime import _nrt_python, rtsys

    rng = np.random.default_rng(12)
    x, y = rng.standard_normal((50, 37)), rng.standard_normal((50, 7, 37))
    xf, yf = np.asfortranarray(x), np.asfortranarray(y)

    def allocations(a, b):
        _pair(a, b, 1, 2)
        _nrt_python.memsys_enable_stats()
        try:
            before = rtsys.get_allocation_stats().alloc
            got = _pair(a, b, 1, 2)
            return rtsys.get_allocation_stats().alloc - before, got
        finally:
            _nrt_python.memsys_disable_stats()

    (n_c, got_c), (n_f, got_f) = allocations(x, y), allocations(xf, yf)
    assert n_f <= n_c
    same(got_f, batch_dot(xf, yf, (1, 2)))
    np.testing.assert_allclose(got_f, got_c, rtol=1e-12)


@njit
def _forced_rowdot(x, y):
    return batch_dot(x, y, 1, kernel="rowdot")
