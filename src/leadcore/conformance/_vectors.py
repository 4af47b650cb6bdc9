"""
Conformance vectors: JSON Lines files of request + expected response, tagged with rule ids.

A vector is one line ``{"description", "rules": [ids], "request", "expected"}`` and,
when leadcore answers more than the contract fixes, ``"strict"`` (everything leadcore
answers), ``"extensions"`` (what is extension, one sentence each) and, for a vector that
is an extension as a whole, ``"contract": false`` (v1.2 of the rules). Expected responses hold
reasons as ``[{"code"}]`` and errors as ``{"code", "path"}``, without messages (the rulebook
"Conventions").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs

from leadcore import _attrs as a
from leadcore.conformance._contract import messageless
from leadcore.conformance._ids import RULE_IDS, family_of
from leadcore.errors import InvalidInput, LeadcoreError

__all__ = [
    "Vector",
    "VectorError",
    "contract_view",
    "covered",
    "dump",
    "family_of",
    "json_text",
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
        rules: The rule IDs it exercises (``MRG-3``...).
        request: The protocol request, a JSON object.
        expected: The expected response: what the contract fixes (for a vector that is
            not in the contract, what leadcore answers).
        strict: Everything leadcore answers, its extensions included (default:
            ``expected``).
        contract: False for a vector that is an extension as a whole (its request uses
            an extension policy key, or leadcore refuses it beyond the rulebook).
        extensions: What is extension in this vector, one sentence each.

    """

    where: str
    description: str
    rules: tuple[str, ...]
    request: Mapping[str, Any] = attrs.field(eq=False, hash=False)
    expected: Mapping[str, Any] = attrs.field(eq=False, hash=False)
    strict: Mapping[str, Any] = attrs.field(
        default=attrs.Factory(lambda self: self.expected, takes_self=True), eq=False, hash=False
    )
    contract: bool = True
    extensions: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        """The protocol rule the request names (``merge.auto``), or ``?`` when absent."""
        name = self.request.get("rule")
        return name if isinstance(name, str) else "?"

    def to_json(self) -> dict[str, Any]:
        """Return the vector as its JSON Lines object (optional keys only when needed)."""
        found: dict[str, Any] = {"description": self.description, "rules": list(self.rules)}
        if not self.contract:
            found["contract"] = False
        if self.extensions:
            found["extensions"] = list(self.extensions)
        found["request"] = self.request
        found["expected"] = self.expected
        if self.strict != self.expected:
            found["strict"] = self.strict
        return found


class _OutOfRange(ValueError):
    pass


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        # json would send it on as Infinity, not as written: the vector would lie.
        msg = (
            f"the number {text[:40]} is out of range of a double and cannot be sent as "
            "written (send such a line as raw text with Implementation.ask)"
        )
        raise _OutOfRange(msg)
    return number


def _parse(line: str, where: str) -> Vector:
    try:
        data = json.loads(line, parse_float=_finite)
    except _OutOfRange as error:
        raise VectorError(f"{where}: {error}") from None
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
        raise VectorError(f"{where}: unknown rule ids {unknown}; rule ids are GEN-1...MRG-8")
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
        **_extension_parts(data, where, expected),
    )


def _extension_parts(data: Mapping[str, Any], where: str, expected: object) -> dict[str, Any]:
    """The optional ``strict``, ``contract`` and ``extensions`` of a vector (v1.2 of the rules)."""
    strict = data.get("strict", expected)
    if not isinstance(strict, dict) or not isinstance(strict.get("ok"), bool):
        raise VectorError(f"{where}: 'strict' must be a response object with 'ok'")
    contract = data.get("contract", True)
    if not isinstance(contract, bool):
        raise VectorError(f"{where}: 'contract' must be true or false")
    extensions = data.get("extensions", [])
    if not isinstance(extensions, list) or not all(isinstance(e, str) for e in extensions):
        raise VectorError(f"{where}: 'extensions' must be a list of sentences")
    return {"strict": strict, "contract": contract, "extensions": tuple(extensions)}


def _read(text: str, name: str) -> list[Vector]:
    return [
        _parse(line, f"{name}:{number}")
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip()
    ]


@a.checked
def load(path: str | Path) -> tuple[Vector, ...]:
    """
    Load the vectors of one JSON Lines file (a fuzz finding, a team's own suite).

    Raises:
        VectorError: A line is not a vector; the message names the file and line.
        InvalidInput: The file cannot be read.

    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput.single("path", str(path), f"cannot be read: {error}") from error
    return tuple(_read(text, file.name))


@a.checked
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
    files = (entry for entry in folder.iterdir() if entry.name.endswith(".jsonl"))
    for entry in sorted(files, key=lambda p: p.name):
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


@a.checked
def covered(found: Iterable[Vector]) -> dict[str, int]:
    """Return, for each rule ID, how many of ``found`` are tagged with it."""
    counts = dict.fromkeys(RULE_IDS, 0)
    for vector in found:
        for rule_id in vector.rules:
            counts[rule_id] = counts.get(rule_id, 0) + 1
    return counts


@a.checked
def contract_view(response: object) -> object:
    """
    Strip a response of its messages (never compared): the strict view of an answer.

    Reason lists keep their codes, errors their code and path; leadcore's extensions
    stay (:func:`leadcore.conformance.expectation` separates them).

    >>> contract_view({"ok": False, "error": {"code": "x", "message": "m", "path": "p"}})
    {'ok': False, 'error': {'code': 'x', 'path': 'p'}}
    """
    return messageless(response)


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def json_text(value: object, *, indent: int | None = None, sort_keys: bool = False) -> str:
    r"""
    Write JSON as readable UTF-8 text; a lone surrogate is written as its escape.

    A lone surrogate is valid in JSON (``"\ud800"``) but cannot be encoded as UTF-8, so
    it stays escaped; every other character is written as itself.

    >>> json_text({"name": "Zoë\ud800"})
    '{"name": "Zoë\\ud800"}'
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys, default=str)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


@a.checked
def dump(found: Iterable[Vector], path: str | Path) -> Path:
    """
    Write vectors to a JSON Lines file, one per line; return the path.

    Raises:
        InvalidInput: The file cannot be written.

    """
    file = Path(path)
    lines = [json_text(v.to_json()) for v in found]
    try:
        file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as error:
        raise InvalidInput.single("path", str(path), f"cannot be written: {error}") from error
    return file
