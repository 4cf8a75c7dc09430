"""Ahead-of-time compilation (``batchdot.precompile``, ``python -m batchdot compile``) and its log."""

import os
import re
import subprocess
import sys

import pytest

import batchdot


def test_precompile_builds_what_is_named():
    built = batchdot.precompile(["float64", "int16", "complex64"], ["tile", "dot"])
    assert [(f, d) for f, d, _ in built] == [("tile", "float64"), ("tile", "int16"), ("tile", "complex64"),
                                             ("dot", "float64"), ("dot", "int16")]
    assert all(s >= 0 for *_, s in built)
    with pytest.raises(ValueError, match="batch_dot requires families among"):
        batchdot.precompile(["float64"], ["fast"])


def test_compile_command_and_its_errors():
    run = [sys.executable, "-m", "batchdot", "compile"]
    ok = subprocess.run(run + ["--dtype", "float32", "--family", "tile"], capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stderr
    assert "tile" in ok.stdout and "float32" in ok.stdout and "1/1" in ok.stderr  # the progress bar
    bad = subprocess.run(run + ["--family", "nope"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "batch_dot requires families" in bad.stderr
    bad = subprocess.run(run + ["--dtype", "float17"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "usage" in bad.stderr


def test_a_call_that_compiles_says_so_at_info(tmp_path):
    code = ("import logging, numpy as np, batchdot\n"
            "logging.basicConfig(level=logging.INFO)\n"
            "batchdot.batch_dot(np.ones((3, 4, 5), np.uint16), np.ones((3, 5, 6), np.uint16))\n")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))  # an empty cache: this call compiles
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert re.search(r"INFO:batchdot:compiled \w+_span for ", done.stderr) and "once per machine" in done.stderr
