"""
Junk sweep (GEN-5): every protocol rule fed bad input answers with our error, quickly.

Driven by the shipped conformance vectors: for each rule, the first valid request is
taken and every key of its input (and of the objects inside) is replaced in turn by junk.
Whatever the junk, the answer must be a response (never an exception), and a refusal must
carry one of the protocol's error codes with a path, never ``internal_error``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from leadcore import protocol

from .test_vectors import CASES

JUNK: list[object] = [
    None,
    True,
    -1,
    1.5,
    "",
    "x" * 10_001,
    "2026-01-01T00:00:00",
    [],
    [None],
    {},
    {"id": 1},
    [[[]]],
]


def _first_ok_request_per_rule() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for _, case in CASES:
        rule = case["request"].get("rule")
        if case["expected"].get("ok") and rule not in found:
            found[rule] = case["request"]
    return found


def _paths(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*path, key)
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:2]):
            yield (*path, index)
            yield from _paths(inner, (*path, index))


def _replace(request: dict[str, Any], path: tuple[str | int, ...], junk: object) -> dict[str, Any]:
    changed = copy.deepcopy(request)
    target: Any = changed["input"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = junk
    return changed


BASES = _first_ok_request_per_rule()


@pytest.mark.parametrize("rule", sorted(BASES))
def test_junk_never_escapes(rule: str) -> None:
    """GEN-5: junk anywhere in the input yields a response with our error codes."""
    base = BASES[rule]
    seen = 0

    for path in _paths(base["input"]):
        for junk in JUNK:
            response = protocol.decide(json.loads(json.dumps(_replace(base, path, junk))))
            seen += 1

            if not response["ok"]:
                error = response["error"]
                assert isinstance(error, dict)
                assert error["code"] in {"invalid_input", "naive_datetime"}, (path, junk, error)
                assert error["message"]
                assert str(error["path"]).startswith(("input", "now", "policy")), error

    assert seen > 0


@pytest.mark.parametrize("rule", sorted(BASES))
def test_whole_input_junk(rule: str) -> None:
    """GEN-5: an input that is not an object, or is empty, is refused or answered."""
    junk: object
    for junk in (None, [], "x", 3, {}):
        response = protocol.decide(BASES[rule] | {"input": junk})

        if not response["ok"]:
            assert response["error"]["code"] == "invalid_input"  # type: ignore[index]


def test_every_rule_has_a_vector() -> None:
    """Every registered rule is covered by at least one shipped vector."""
    assert set(BASES) == set(protocol.rules())
