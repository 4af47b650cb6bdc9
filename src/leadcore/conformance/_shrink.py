"""
Shrink a request another implementation gets wrong, keeping the disagreement the same.

Delta debugging over the JSON of the request: every key, list item, run of list items
and run of characters the disagreement does not need is left out (absent means null or
empty in the protocol, the protocol's objects), as long as the disagreement keeps its root causes
(:attr:`leadcore.conformance.Mismatch.signature`). Each try costs one request to the
implementation; a budget bounds them. Used by ``conformance fuzz`` for every finding and
by ``conformance run`` for one example of each root cause.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from leadcore import protocol, reasons
from leadcore.conformance._compare import Judge, Mismatch, compare, no_answer
from leadcore.conformance._process import Implementation

__all__ = ["Asker", "Shrunk", "cause_rule_ids", "disagreement", "shrink", "signatures"]

Path = tuple[str | int, ...]
Signatures = frozenset[tuple[str, str, str]]

# Top-level keys every request keeps; date-time and enum texts are not cut (a shorter one
# is only invalid, which costs a request to learn).
_KEPT: Final = frozenset({"id", "rule", "now", "input"})
_WHOLE_TEXTS: Final = frozenset(
    {"at", "created_at", "last_activity_at", "now", "channel", "kind", "type", "bucket", "crm"}
)
_FEW: Final = 16


def signatures(found: tuple[Mismatch, ...] | list[Mismatch]) -> Signatures:
    """The root causes of a disagreement."""
    return frozenset(m.signature for m in found)


def cause_rule_ids(
    rule: str, found: Sequence[Mismatch], default: tuple[str, ...]
) -> tuple[str, ...]:
    """
    The rule IDs a disagreement is about.

    Those of the reason codes that differ (the catalogue knows each code's rule id), or
    else ``default``.
    """
    ids: list[str] = []
    for mismatch in found:
        if mismatch.kind not in {"reasons", "order"}:
            continue
        codes = {part.lstrip("+-") for part in mismatch.detail.split()}
        if mismatch.kind == "order" and isinstance(mismatch.expected, list):
            codes = {str(c) for c in mismatch.expected}
        for group in reasons.groups(rule):
            ids.extend(entry.rule_id for entry in group.codes if entry.code in codes)
    return tuple(dict.fromkeys(ids)) or default


Asker = Callable[[dict[str, Any]], tuple[Mismatch, ...]]
"""Sends a request to the implementation and returns how its answer differs from leadcore's."""


def disagreement(
    impl: Implementation, judges: Mapping[str, Judge] | None, *, strict: bool
) -> Asker:
    """Return an :data:`Asker` comparing ``impl`` with leadcore's own answer."""

    def ask(request: dict[str, Any]) -> tuple[Mismatch, ...]:
        ours = protocol.decide(copy.deepcopy(request))
        reply = impl.ask(request)
        if reply.response is None:
            return (no_answer(reply.problem or "no answer"),)
        return compare(request, ours, reply.response, judges=judges, strict=strict)

    return ask


@attrs.frozen
class Shrunk:
    """
    The result of :func:`shrink`.

    Attributes:
        request: The smallest request found with the same root causes.
        target: Those root causes (empty: the request does not disagree with leadcore).
        calls: Requests spent.

    """

    request: dict[str, Any]
    target: Signatures
    calls: int


def _edits(value: object, path: Path = ()) -> Iterator[tuple[str, Path, int, int]]:
    """Every structural cut of ``value``, outermost first: keys, halves of lists, items."""
    inner: list[tuple[object, Path]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if path or key not in _KEPT:
                yield ("drop", (*path, key), 0, 0)
            inner.append((item, (*path, key)))
    elif isinstance(value, list):
        size = len(value)
        if size > 1:
            yield ("cut", path, 0, size // 2)
            yield ("cut", path, size // 2, size)
        if size <= _FEW:
            for index in reversed(range(size)):
                yield ("drop", (*path, index), 0, 0)
        inner.extend((item, (*path, index)) for index, item in enumerate(value[:_FEW]))
    for item, where in inner:
        yield from _edits(item, where)


def _texts(value: object, path: Path = ()) -> Iterator[tuple[str, Path, int, int]]:
    """Every cut of characters in the request's texts: the whole text, its halves."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (key in _WHOLE_TEXTS or (not path and key in _KEPT)):
                continue
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:_FEW]):
            yield from _texts(item, (*path, index))
    elif isinstance(value, str) and len(value) > 1:
        yield ("text", path, 0, len(value))
        yield ("text", path, 0, len(value) // 2)
        yield ("text", path, len(value) // 2, len(value))
        if len(value) <= _FEW:
            for index in reversed(range(len(value))):
                yield ("text", path, index, index + 1)


def _apply(request: dict[str, Any], edit: tuple[str, Path, int, int]) -> dict[str, Any]:
    kind, path, start, stop = edit
    changed = copy.deepcopy(request)
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    if kind == "drop":
        del parent[path[-1]]
    elif kind == "cut":
        del parent[path[-1]][start:stop]
    else:
        text = parent[path[-1]]
        parent[path[-1]] = text[:start] + text[stop:]
    return changed


def shrink(
    request: dict[str, Any],
    ask: Asker,
    *,
    calls: int,
    deadline: float | None = None,
) -> Shrunk:
    """
    Delta-debug ``request`` while ``ask`` finds the same root causes.

    Structure first (keys, halves of lists, items), then characters (whole texts, halves,
    single characters of short ones). Each try is one request; ``calls`` bounds them.

    Args:
        request: A request the implementation gets wrong.
        ask: How the implementation's answer to a request differs from leadcore's.
        calls: Most requests to spend (0: none, the request is returned as it is).
        deadline: A :func:`time.monotonic` instant to stop at (None: no limit).

    """
    if calls <= 0:
        return Shrunk(request, frozenset(), 0)
    # The root causes to keep: those of the request as it is (one request spent).
    target = signatures(ask(request))
    spent = 1
    best = request
    if not target:
        return Shrunk(best, target, spent)
    for generate in (_edits, _texts):
        position = 0
        while spent < calls and (deadline is None or time.monotonic() < deadline):
            options = list(generate(best))
            if position >= len(options):
                break
            try:
                candidate = _apply(best, options[position])
            except (KeyError, IndexError, TypeError):  # pragma: no cover  # a stale edit
                position += 1
                continue
            spent += 1
            if signatures(ask(candidate)) == target:
                kind, path, _, _ = options[position]
                best = candidate
                if kind != "drop":
                    # Cut the same list or text again, from its first option: a binary
                    # search down to the items or characters that matter.
                    again = list(generate(best))
                    position = next(
                        (i for i, o in enumerate(again) if o[0] == kind and o[1] == path),
                        position,
                    )
            else:
                position += 1
    return Shrunk(best, target, spent)
