"""
Replay every conformance vector shipped in ``leadcore/data/vectors`` through the protocol.

A vector is ``{"description", "rules": [rule ids], "request", "expected"}`` (and
``strict``, ``contract``, ``extensions`` when leadcore answers beyond the contract). The
expected responses leave reason and error *messages* out (comparisons look at codes, the rulebook
"Conventions"), and keys the actual response has beyond the expected ones are ignored
(comparers ignore unknown keys). Lists compare exactly.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from leadcore import protocol
from leadcore.conformance import compare


def _load() -> list[tuple[str, dict[str, Any]]]:
    folder = resources.files("leadcore").joinpath("data", "vectors")
    cases = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".jsonl"):
            continue
        for number, line in enumerate(entry.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                cases.append((f"{entry.name}:{number}", json.loads(line)))
    return cases


CASES = _load()


def contract_view(actual: object, expected: object) -> object:
    """Project ``actual`` onto the keys ``expected`` names, recursively."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: contract_view(actual.get(k, "<missing>"), v) for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [contract_view(a, e) for a, e in zip(actual, expected, strict=True)]
    return actual


def test_vectors_exist_for_every_case_file() -> None:
    """GEN-5: the vector suite is shipped and non-empty."""
    assert len(CASES) >= 10


@pytest.mark.parametrize(("where", "case"), CASES, ids=[w for w, _ in CASES])
def test_vector(where: str, case: dict[str, Any]) -> None:
    """
    Each shipped vector's expected responses are what leadcore answers.

    ``strict`` (everything leadcore answers; ``expected`` when absent) is leadcore's
    answer, projected onto its keys; ``expected`` (the contract) agrees with it by the
    contract comparison (v1.2 of the rules).
    """
    assert case["rules"], f"{where} names no rule id"
    assert case["description"]
    strict = case.get("strict", case["expected"])

    actual = protocol.decide(json.loads(json.dumps(case["request"])))

    assert contract_view(actual, strict) == strict, case["description"]
    if case.get("contract", True):
        assert compare(case["request"], case["expected"], actual) == (), case["description"]
