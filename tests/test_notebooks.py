"""Every notebook in notebooks/ runs top to bottom (quick mode), so none of them rots.

Each notebook is executed with nbclient on an in-memory copy, in quick mode
(``BATCHDOT_NOTEBOOK_QUICK=1``); the committed notebooks, which carry the outputs of a full
run, are never rewritten.  A cell that raises fails the test.
"""

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[notebooks]'")
nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[notebooks]'")
pytest.importorskip("ipykernel", reason="pip install -e '.[notebooks]'")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """Quick mode, and a ``python3`` kernel that is *this* interpreter, whatever else is installed.

    A kernelspec written to a directory first on ``JUPYTER_PATH`` wins over user-level ones
    (which might point at another Python), so the kernel runs in the test's own environment.
    """
    from ipykernel.kernelspec import write_kernel_spec

    write_kernel_spec(tmp_path / "kernels" / "python3")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("BATCHDOT_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")


def test_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {"tour.ipynb", "performance.ipynb"}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client/zmq internals
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, kernel_env, tmp_path):
    nb = nbformat.read(path, as_version=4)
    committed = path.read_bytes()
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] == sys.executable  # the kernel runs in this environment
    # nbclient starts the kernel, and shuts it down and closes its sockets when done.
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert codes and all(c.execution_count for c in codes)
    errors = [o for c in codes for o in c.outputs if o.output_type == "error"]
    assert not errors
    nbformat.write(nb, tmp_path / path.name)  # the executed copy, for inspection
    assert path.read_bytes() == committed
    if path.name == "performance.ipynb":
        pngs = [o for c in codes for o in c.outputs if "image/png" in o.get("data", {})]
        assert len(pngs) >= 4, "the speed-up, batch, size and roofline plots"
        text = "".join(o.get("text", "") for c in codes for o in c.outputs)
        # the notebook asserts every roofline point is under its roof (a cell that raises fails above)
        assert "every point is under its roof" in text and "one core kept busy" in text


def test_committed_notebooks_carry_full_run_outputs():
    """The committed notebooks are executed (in full mode), in order, without errors."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        codes = [c for c in nb.cells if c.cell_type == "code"]
        counts = [c.execution_count for c in codes]
        assert counts == list(range(1, len(codes) + 1)), f"{path.name} is not executed top to bottom"
        assert not any(o.output_type == "error" for c in codes for o in c.outputs), path.name
        text = "".join(o.get("text", "") for c in codes for o in c.outputs)
        assert "QUICK" not in text, f"{path.name} carries quick-mode outputs; re-run it in full mode"
