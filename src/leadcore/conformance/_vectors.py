"""
Conformance vectors: JSON Lines files of request + expected response, tagged with rule ids.

A vector is one line ``{"description", "rules": [ids], "request", "expected"}``. The
expected response holds only contract fields: reasons as ``[{"code"}]`` and errors as
``{"code", "path"}``, without messages (SPEC "Conventions").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from leadcore import _attrs as a
from leadcore.conformance._ids import RULE_IDS, family_of
from leadcore.errors import LeadcoreError

__all__ = [
    "Vector",
    "VectorError",
    "contract_view",
    "covered",
    "dump",
    "family_of",
    "load",
    "shipped_families",
    "vectors",
]


class VectorError(LeadcoreError, ValueError):
    """A vectors file that is not in the vector format; the message names file and line."""


@attrs.frozen(kw_only=True)
class Vector(a.Frozen):
    """
    One conformance case: a protocol request and the response the contract fixes.

    Attributes:
        where: Where it comes from: ``file.jsonl:line``.
        description: One line saying what it checks.
        rules: The SPEC rule ids it exercises (``MRG-3``...).
        request: The protocol request, a JSON object.
        expected: The expected response's contract fields.

    """

    where: str
    description: str
    rules: tuple[str, ...]
    request: Mapping[str, Any] = attrs.field(eq=False, hash=False)
    expected: Mapping[str, Any] = attrs.field(eq=False, hash=False)

    @property
    def rule(self) -> str:
        """The protocol rule the request names (``merge.auto``), or ``?`` when absent."""
        name = self.request.get("rule")
        return name if isinstance(name, str) else "?"

    def to_json(self) -> dict[str, Any]:
        """Return the vector as its JSON Lines object."""
        return {
            "description": self.description,
            "rules": list(self.rules),
            "request": self.request,
            "expected": self.expected,
        }


def _parse(line: str, where: str) -> Vector:
    try:
        data = json.loads(line)
    except ValueError as error:
        raise VectorError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise VectorError(f"{where}: a vector must be a JSON object")
    description = data.get("description")
    rules = data.get("rules")
    request = data.get("request")
    expected = data.get("expected")
    if not isinstance(description, str) or not description.strip():
        raise VectorError(f"{where}: 'description' must be a non-empty string")
    if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
        raise VectorError(f"{where}: 'rules' must be a non-empty list of rule ids")
    unknown = [r for r in rules if r not in RULE_IDS]
    if unknown:
        raise VectorError(f"{where}: unknown rule ids {unknown}; SPEC's ids are GEN-1...MRG-8")
    if not isinstance(request, dict):
        raise VectorError(f"{where}: 'request' must be a JSON object")
    if not isinstance(expected, dict) or not isinstance(expected.get("ok"), bool):
        raise VectorError(f"{where}: 'expected' must be a response object with 'ok'")
    return Vector(
        where=where,
        description=description,
        rules=tuple(rules),
        request=request,
        expected=expected,
    )


def _read(text: str, name: str) -> list[Vector]:
    return [
        _parse(line, f"{name}:{number}")
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip()
    ]


def load(path: str | Path) -> tuple[Vector, ...]:
    """
    Load the vectors of one JSON Lines file (a fuzz finding, a team's own suite).

    Raises:
        VectorError: A line is not a vector; the message names the file and line.
        OSError: The file cannot be read.

    """
    file = Path(path)
    return tuple(_read(file.read_text(encoding="utf-8"), file.name))


def vectors(families: Iterable[str] | None = None) -> tuple[Vector, ...]:
    """
    Return the conformance vectors shipped inside leadcore, file by file, line by line.

    Args:
        families: Only the files of these families (``merge``, ``routing``...,
            ``normalize``); all files when None.

    >>> found = vectors(["normalize"])
    >>> found[0].where, found[0].rule
    ('normalize.jsonl:1', 'normalize.phone')

    """
    wanted = None if families is None else set(families)
    folder = resources.files("leadcore").joinpath("data", "vectors")
    found: list[Vector] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".jsonl"):
            continue
        if wanted is not None and entry.name.removesuffix(".jsonl") not in wanted:
            continue
        found.extend(_read(entry.read_text(encoding="utf-8"), entry.name))
    return tuple(found)


def shipped_families() -> tuple[str, ...]:
    """Return the names of the vector files shipped (without ``.jsonl``), sorted."""
    folder = resources.files("leadcore").joinpath("data", "vectors")
    return tuple(
        sorted(p.name.removesuffix(".jsonl") for p in folder.iterdir() if p.name.endswith(".jsonl"))
    )


def covered(found: Iterable[Vector]) -> dict[str, int]:
    """Return, for each SPEC rule id, how many of ``found`` are tagged with it."""
    counts = dict.fromkeys(RULE_IDS, 0)
    for vector in found:
        for rule_id in vector.rules:
            counts[rule_id] += 1
    return counts


def contract_view(response: object) -> object:
    """
    Strip a response to its contract fields: messages go, reason lists keep their codes.

    This turns a full answer of leadcore into the ``expected`` of a vector.

    >>> contract_view({"ok": False, "error": {"code": "x", "message": "m", "path": "p"}})
    {'ok': False, 'error': {'code': 'x', 'path': 'p'}}
    """
    if isinstance(response, dict):
        # Only reasons and errors carry a message; a lead's ``fields`` may hold any key.
        coded = "code" in response
        return {k: contract_view(v) for k, v in response.items() if not (coded and k == "message")}
    if isinstance(response, list):
        return [contract_view(v) for v in response]
    return response


def dump(found: Iterable[Vector], path: str | Path) -> Path:
    """Write vectors to a JSON Lines file, one per line; return the path."""
    file = Path(path)
    lines = [json.dumps(v.to_json(), ensure_ascii=False) for v in found]
    file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return file
