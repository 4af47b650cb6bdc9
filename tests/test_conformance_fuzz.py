"""
The fuzzer's bookkeeping (``leadcore.conformance._fuzz``): file names and its budget.

``test_conformance_example.py`` shows the fuzzer finding every seeded bug; these pin
that a second run never overwrites the first one's vectors, and that a search past its
time limit asks the implementation nothing more.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from leadcore import conformance
from leadcore.conformance import _fuzz

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "buggy_impl.py"


def test_a_second_run_writes_its_vectors_beside_the_first(tmp_path: Path) -> None:
    """Two runs into one folder: fuzz-<rule>-1.jsonl is kept, the second is -2."""
    command = [sys.executable, str(EXAMPLE), "--bugs", "fold_accents"]

    def run() -> conformance.FuzzReport:
        return conformance.fuzz(
            command,
            seed=1,
            count=200,
            out=tmp_path,
            rules=["normalize.name"],
            shrink_calls=5,
            max_findings=1,
        )

    first = run()
    kept = (tmp_path / "fuzz-normalize.name-1.jsonl").read_text(encoding="utf-8")
    second = run()

    assert [f.path for f in first.findings] == [tmp_path / "fuzz-normalize.name-1.jsonl"]
    assert [f.path for f in second.findings] == [tmp_path / "fuzz-normalize.name-2.jsonl"]
    assert (tmp_path / "fuzz-normalize.name-1.jsonl").read_text(encoding="utf-8") == kept
    (again,) = conformance.load(tmp_path / "fuzz-normalize.name-2.jsonl")
    (once,) = conformance.load(tmp_path / "fuzz-normalize.name-1.jsonl")
    assert (again.request, again.expected) == (once.request, once.expected)  # the same seed
    assert again.where == "fuzz-normalize.name-2.jsonl:1"


def test_a_search_past_its_deadline_asks_nothing() -> None:
    """Once the time limit has passed, a new request is not sent and counts as agreeing."""

    class Silent:
        def ask(self, request: object) -> Any:  # never called
            raise AssertionError(request)

    search = _fuzz._Search(
        Silent(),  # type: ignore[arg-type]  # only ask() could be used
        None,
        calls=10,
        deadline=time.monotonic() - 1,
        strict=False,
        seen=set(),
    )

    assert not search.disagrees({"id": 1, "rule": "normalize.name", "input": {"value": "x"}})
    assert search.calls == 0
