"""The README's commands and examples are the ones that work."""

import doctest
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def test_ci_runs_the_readme_test_command():
    test_command = next(b for b in _blocks("bash") if "pytest" in b).strip().splitlines()[-1]
    ci = (ROOT / ".ci" / "run").read_text()
    install, run = test_command.split(" && ")[2:]
    assert install.replace("pip install", "python -m pip install -q") in ci
    assert run in ci.splitlines()


def test_readme_doctest():
    first = _blocks("python")[0]
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(parser.get_doctest(first, {}, "README", "README.md", 0))
    assert runner.failures == 0 and runner.tries >= 2


def test_readme_njit_example_runs(tmp_path):
    example = next(b for b in _blocks("python") if "@njit" in b)
    script = tmp_path / "example.py"
    script.write_text(example)
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
