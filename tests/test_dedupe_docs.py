"""
The worked example in ``docs/dedupe_example.md`` runs, and prints what it says it prints.

Each ``python`` cell runs in order in one namespace (with ``OUT``, a fresh folder); when a
``text`` cell follows, it must be exactly what the cell printed. The example draws a
chart of cluster sizes (SVG), which must exist afterwards.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "dedupe_example.md"
CELL = re.compile(r"```(python|text)\n(.*?)```", re.DOTALL)


def cells() -> list[tuple[str, str | None]]:
    """The example's code cells, each with the output written after it (or None)."""
    found: list[tuple[str, str | None]] = []
    for kind, body in CELL.findall(EXAMPLE.read_text(encoding="utf-8")):
        if kind == "python":
            found.append((body, None))
        elif found and found[-1][1] is None:
            found[-1] = (found[-1][0], body)
    return found


@pytest.mark.skipif(not EXAMPLE.exists(), reason="docs are not shipped with this install")
def test_worked_example_runs_and_prints_what_it_shows(tmp_path: Path) -> None:
    """MRG-1..7 over a table, the notebook way: every cell runs, every output matches."""
    namespace: dict[str, object] = {"OUT": tmp_path, "__name__": "example"}

    for index, (code, expected) in enumerate(cells()):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"{EXAMPLE.name}[{index}]", "exec"), namespace)  # noqa: S102  # the example is ours
        if expected is not None:
            assert printed.getvalue() == expected, f"cell {index}"

    chart = tmp_path / "cluster_sizes.svg"
    assert chart.read_text(encoding="utf-8").startswith("<svg")
