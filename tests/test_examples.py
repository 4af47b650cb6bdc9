"""
The example notebook (``examples/analyst.ipynb``) runs from top to bottom.

An analyst's session on generated data: dedupe, explain, accuracy, what-if, charts and a
routing simulation, executed by a Jupyter kernel (nbclient, ipykernel) as a user would
run it. Each cell must succeed; what shows must be sized for a notebook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LIMIT = 50_000
"""The most characters one output may take (a notebook stays small)."""


@pytest.fixture(scope="module")
def executed() -> Any:
    """The notebook, executed once in a fresh kernel from its own folder."""
    notebook = nbformat.read(EXAMPLES / "analyst.ipynb", as_version=4)  # type: ignore[no-untyped-call]  # nbformat is untyped
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # jupyter's own deprecation notice
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()
    return notebook


def test_every_cell_runs(executed: Any) -> None:
    """No cell raises; every code cell ran."""
    cells = [c for c in executed.cells if c.cell_type == "code"]

    assert cells
    for cell in cells:
        assert cell.execution_count is not None
        assert not [o for o in cell.outputs if o.output_type == "error"]


def test_results_show_as_html_and_charts_as_altair_charts(executed: Any) -> None:
    """Results display as leadcore's HTML tables, charts as altair's; every output is small."""
    html: list[str] = []
    for cell in executed.cells:
        for output in getattr(cell, "outputs", []):
            data = output.get("data", {})
            html.append(str(data.get("text/html", "")))
            for value in data.values():
                assert len(str(value)) < LIMIT

    assert sum('<div class="leadcore-result">' in h for h in html) >= 8
    assert sum("vegaEmbed" in h for h in html) == 5
