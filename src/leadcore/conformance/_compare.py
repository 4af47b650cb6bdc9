"""
Rule-aware comparison of another implementation's answer with the expected one.

What the contract fixes is compared; what it leaves free is not (SPEC "Conventions"):

* keys the answer has beyond the expected ones are ignored;
* reason lists (``reasons``, and any list of ``{"code", ...}`` objects such as the values
  of ``ineligible``) are compared as *sets of codes*; messages are never compared;
* lists whose order SPEC leaves open (``record``, ``discarded``, ``cancelled_events``,
  ``matched``) are compared as multisets; every other list, the sorted id lists included,
  must match in order, and an answer with the right items in another order is reported
  as such ("not sorted");
* numbers compare by value (``1`` equals ``1.0``), but ``true`` never equals ``1``;
* ``routing.dispatch`` draws its waves at random, so the other implementation's waves are
  judged by their legality (leadcore's ``routing.check_wave`` on each wave), not by
  equality; see :class:`WaveJudge`.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal, Protocol

import attrs

from leadcore import protocol
from leadcore.conformance._dispatch import leadcore_replay

__all__ = [
    "ORDER_FREE_KEYS",
    "Judge",
    "Mismatch",
    "WaveCheck",
    "WaveJudge",
    "compare",
    "default_judges",
    "structural",
]

ORDER_FREE_KEYS: Final = frozenset({"cancelled_events", "discarded", "matched", "record"})
"""Result keys whose list order SPEC leaves open: compared as multisets."""

Kind = Literal[
    "value", "missing", "type", "length", "order", "reasons", "illegal_wave", "no_answer"
]


@attrs.frozen(kw_only=True)
class Mismatch:
    """
    One disagreement between the expected and the actual answer.

    Attributes:
        path: Where, in the response (``result.reasons``, ``error.code``).
        kind: ``value``, ``missing``, ``type``, ``length``, ``order`` (right items, wrong
            order), ``reasons`` (different reason codes), ``illegal_wave`` or
            ``no_answer`` (the implementation crashed, hung or wrote garbage).
        expected: The expected value (None when not applicable).
        actual: The actual value (None when not applicable).
        note: A sentence saying what is wrong.

    """

    path: str
    kind: Kind
    expected: object = None
    actual: object = None
    note: str = ""

    def __str__(self) -> str:
        where = self.path or "response"
        if self.kind in {"no_answer", "illegal_wave"}:
            return f"{where}: {self.note}"
        text = f"{where}: expected {_show(self.expected)}, got {_show(self.actual)}"
        return f"{text} ({self.note})" if self.note else text

    @property
    def signature(self) -> tuple[str, str]:
        """The mismatch's place and kind, list indexes dropped: tells bugs apart."""
        # Two levels are enough to tell bugs apart (``result.ineligible``), and map keys
        # below them are ids (``result.ineligible.a2``), which differ from case to case.
        parts = [part.split("[", 1)[0] for part in self.path.split(".")]
        return (".".join(parts[:2]), self.kind)


def _show(value: object, limit: int = 160) -> str:
    if value is _MISSING:
        return "no such key"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_MISSING: Final = object()


class Judge(Protocol):
    """Compares one rule's expected and actual ``result`` (returns the mismatches)."""

    def __call__(
        self, request: Mapping[str, Any], expected: object, actual: object, path: str, /
    ) -> list[Mismatch]:
        """Return the mismatches between ``expected`` and ``actual`` at ``path``."""
        ...  # pragma: no cover


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _same_scalar(expected: object, actual: object) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _codes(items: object) -> list[str] | None:
    if not isinstance(items, list):
        return None
    codes = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            return None
        codes.append(item["code"])
    return codes


def _is_reason_list(key: str | int | None, expected: object) -> bool:
    if key == "reasons":
        return True
    if not isinstance(expected, list) or not expected:
        return False
    return _codes(expected) is not None and all(
        set(item) <= {"code", "message"} for item in expected
    )


def _compare_reasons(expected: object, actual: object, path: str) -> list[Mismatch]:
    want = _codes(expected)
    got = _codes(actual)
    if want is None:  # pragma: no cover  # vectors always write reasons as [{code}]
        return [Mismatch(path=path, kind="type", expected=expected, actual=actual)]
    if got is None:
        return [
            Mismatch(
                path=path,
                kind="type",
                expected=expected,
                actual=actual,
                note="reasons must be a list of objects with a 'code'",
            )
        ]
    if set(want) == set(got):
        return []
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"unexpected {', '.join(extra)}")
    return [
        Mismatch(
            path=path,
            kind="reasons",
            expected=sorted(set(want)),
            actual=sorted(set(got)),
            note="reason codes differ: " + "; ".join(parts),
        )
    ]


def _compare_unordered(expected: list[Any], actual: list[Any], path: str) -> list[Mismatch]:
    if len(expected) != len(actual):
        return [
            Mismatch(
                path=path,
                kind="length",
                expected=expected,
                actual=actual,
                note=f"{len(expected)} items expected, {len(actual)} given (order is free)",
            )
        ]
    unused = list(range(len(actual)))
    for item in expected:
        for position in unused:
            if not structural({}, item, actual[position], path):
                unused.remove(position)
                break
        else:
            return [
                Mismatch(
                    path=path,
                    kind="value",
                    expected=item,
                    actual=actual,
                    note="this expected item is not in the answer (order is free)",
                )
            ]
    return []


def _compare_list(
    request: Mapping[str, Any], expected: list[Any], actual: list[Any], path: str
) -> list[Mismatch]:
    if len(expected) == len(actual):
        found: list[Mismatch] = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found.extend(_compare(request, want, got, _join(path, index), index))
        if not found:
            return []
        if len(found) > 1 and not _compare_unordered(expected, actual, path):
            in_order = all(_canonical(x) <= _canonical(y) for x, y in itertools.pairwise(expected))
            note = "the right items in another order"
            if in_order:
                note += " (SPEC: lists of ids in results are sorted)"
            return [Mismatch(path=path, kind="order", expected=expected, actual=actual, note=note)]
        return found
    return [
        Mismatch(
            path=path,
            kind="length",
            expected=expected,
            actual=actual,
            note=f"{len(expected)} items expected, {len(actual)} given",
        )
    ]


def _compare(
    request: Mapping[str, Any], expected: object, actual: object, path: str, key: str | int | None
) -> list[Mismatch]:
    if _is_reason_list(key, expected):
        return _compare_reasons(expected, actual, path)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [Mismatch(path=path, kind="type", expected=expected, actual=actual)]
        found: list[Mismatch] = []
        for name, want in expected.items():
            if name not in actual:
                found.append(
                    Mismatch(path=_join(path, name), kind="missing", expected=want, actual=_MISSING)
                )
                continue
            found.extend(_compare(request, want, actual[name], _join(path, name), name))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [Mismatch(path=path, kind="type", expected=expected, actual=actual)]
        if key in ORDER_FREE_KEYS:
            return _compare_unordered(expected, actual, path)
        return _compare_list(request, expected, actual, path)
    if _same_scalar(expected, actual):
        return []
    return [Mismatch(path=path, kind="value", expected=expected, actual=actual)]


def structural(
    request: Mapping[str, Any], expected: object, actual: object, path: str
) -> list[Mismatch]:
    """
    Compare ``actual`` with ``expected`` by the rules of this module (no rule judges).

    >>> structural({}, {"reasons": [{"code": "a"}, {"code": "b"}]},
    ...            {"reasons": [{"code": "b", "message": "..."}, {"code": "a"}], "x": 1}, "")
    []
    >>> [str(m) for m in structural({}, {"ids": ["a", "b"]}, {"ids": ["b", "a"]}, "result")]
    ['result.ids: expected ["a", "b"], got ["b", "a"] (the right items in another order (SPEC: lists of ids in results are sorted))']
    """  # noqa: E501  # a doctest's output is one line
    key = path.rsplit(".", 1)[-1] if path else None
    return _compare(request, expected, actual, path, key)


# -- routing.dispatch ---------------------------------------------------------------------

WaveCheck = Callable[[Mapping[str, Any], Sequence[str], Sequence[str]], tuple[bool, list[str]]]
"""``(dispatch request, wave, offered_before) -> (legal, reason codes)``."""

Replay = Callable[[Mapping[str, Any], Sequence[Sequence[str]]], Mapping[str, Any] | str | None]
"""``(dispatch request, waves) -> the result leadcore gives with those waves``, a sentence
saying why the waves do not fit the events, or None when it cannot tell."""


def leadcore_check_wave(
    request: Mapping[str, Any], wave: Sequence[str], offered_before: Sequence[str]
) -> tuple[bool, list[str]]:
    """Judge one wave of a ``routing.dispatch`` request with leadcore's ``routing.check_wave``."""
    data = request.get("input")
    given = dict(data) if isinstance(data, dict) else {}
    inner = {k: v for k, v in given.items() if k not in {"seed", "events"}}
    inner["offered_before"] = list(offered_before)
    inner["wave"] = list(wave)
    check = {
        "id": "check_wave",
        "rule": "routing.check_wave",
        "now": request.get("now"),
        "input": copy.deepcopy(inner),
    }
    if request.get("policy") is not None:
        check["policy"] = copy.deepcopy(request["policy"])
    response = protocol.decide(check)
    if not response.get("ok"):
        error = response.get("error")
        code = error.get("code") if isinstance(error, dict) else "error"
        return False, [f"check_wave refused the request: {code}"]
    result = response["result"]
    assert isinstance(result, dict)  # noqa: S101  # protocol results are objects
    codes = _codes(result.get("reasons")) or []
    return bool(result.get("legal")), codes


@attrs.frozen(kw_only=True)
class WaveJudge:
    """
    Judge ``routing.dispatch`` answers by legality, not by equal waves (SPEC RTE-2, GEN-2).

    Each wave of the answer is checked with ``check_wave`` (leadcore's own
    ``routing.check_wave`` by default), every earlier wave counting as offered before.
    When the answer's waves hold the same agents as the expected ones, everything else
    (outcome, agent, rejected events) must match exactly. When they differ, ``replay``
    (when given) says what leadcore answers with the other implementation's waves, and
    the rest is compared with that; without ``replay`` only the waves are judged. The
    default replay is leadcore's own dispatch steps on the given waves
    (:func:`leadcore.conformance._dispatch.leadcore_replay`).

    Attributes:
        check_wave: ``(request, wave, offered_before) -> (legal, reason codes)``.
        replay: ``(request, waves) -> result`` or None.

    """

    check_wave: WaveCheck = leadcore_check_wave
    replay: Replay | None = leadcore_replay

    def __call__(
        self, request: Mapping[str, Any], expected: object, actual: object, path: str
    ) -> list[Mismatch]:
        """Return the mismatches of a dispatch answer."""
        if not isinstance(expected, dict) or not isinstance(actual, dict):
            return structural(request, expected, actual, path)
        waves = actual.get("waves")
        where = _join(path, "waves")
        if not isinstance(waves, list) or not all(
            isinstance(w, list) and all(isinstance(x, str) for x in w) for w in waves
        ):
            return [
                Mismatch(
                    path=where,
                    kind="type",
                    expected=expected.get("waves"),
                    actual=waves,
                    note="waves must be a list of lists of agent ids",
                )
            ]
        found: list[Mismatch] = []
        offered: list[str] = []
        for index, wave in enumerate(waves):
            legal, codes = self.check_wave(request, wave, offered)
            if not legal:
                found.append(
                    Mismatch(
                        path=_join(where, index),
                        kind="illegal_wave",
                        actual=wave,
                        note=f"wave {wave} is not legal: {', '.join(codes) or 'no reason given'}",
                    )
                )
            offered.extend(wave)
        rest = {k: v for k, v in expected.items() if k != "waves"}
        expected_waves = expected.get("waves")
        same = isinstance(expected_waves, list) and [
            sorted(w) for w in expected_waves if isinstance(w, list)
        ] == [sorted(w) for w in waves]
        if same or expected_waves is None:
            return found + structural(request, rest, actual, path)
        if found:
            return found
        if self.replay is None:
            return found
        replayed = self.replay(request, waves)
        if replayed is None:
            return found
        if isinstance(replayed, str):
            return [
                Mismatch(
                    path=where,
                    kind="illegal_wave",
                    actual=waves,
                    note=f"the waves do not fit the events: {replayed}",
                )
            ]
        want = {k: v for k, v in replayed.items() if k != "waves" and k in rest}
        return structural(request, want, actual, path)


def default_judges() -> dict[str, Judge]:
    """Return the judges used by default: ``routing.dispatch`` by :class:`WaveJudge`."""
    return {"routing.dispatch": WaveJudge()}


def _without_message(value: object) -> object:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "message"}
    return value


def compare(
    request: Mapping[str, Any],
    expected: Mapping[str, Any],
    actual: object,
    *,
    judges: Mapping[str, Judge] | None = None,
) -> tuple[Mismatch, ...]:
    """
    Compare a whole response with the expected one; return every mismatch (none: agree).

    Args:
        request: The request both answered (the judges may need it).
        expected: The expected response: leadcore's answer, or a vector's contract fields.
        actual: The other implementation's response, parsed from JSON.
        judges: Per-rule judges of ``result``; :func:`default_judges` when None.

    >>> request = {"id": 1, "rule": "normalize.name"}
    >>> compare(request, {"id": 1, "ok": True, "result": {"normalized": "ada"}},
    ...         {"id": 1, "ok": True, "result": {"normalized": "ada", "extra": 2}})
    ()
    >>> [str(m) for m in compare(request, {"id": 1, "ok": False, "error": {"code": "a"}},
    ...                          {"id": 1, "ok": False, "error": {"code": "b", "path": ""}})]
    ['error.code: expected "a", got "b"']
    """
    if not isinstance(actual, dict):
        return (
            Mismatch(
                path="",
                kind="type",
                expected=dict(expected),
                actual=actual,
                note="a response must be a JSON object",
            ),
        )
    found: list[Mismatch] = []
    if "id" in expected and not _same_scalar(expected["id"], actual.get("id", _MISSING)):
        found.append(
            Mismatch(
                path="id",
                kind="value",
                expected=expected["id"],
                actual=actual.get("id", _MISSING),
                note="a response carries its request's id",
            )
        )
    want_ok = expected.get("ok")
    got_ok = actual.get("ok", _MISSING)
    if not _same_scalar(want_ok, got_ok):
        shown = actual.get("error") if got_ok is False else actual.get("result", _MISSING)
        wanted = expected.get("error") if want_ok is False else expected.get("result")
        found.append(
            Mismatch(
                path="ok",
                kind="value",
                expected=want_ok,
                actual=got_ok,
                note=f"expected {_show(_without_message(wanted))}, "
                f"got {_show(_without_message(shown))}",
            )
        )
        return tuple(found)
    if want_ok is False:
        found.extend(
            structural(
                request, _without_message(expected.get("error")), actual.get("error"), "error"
            )
        )
        return tuple(found)
    rule = request.get("rule")
    chosen = default_judges() if judges is None else judges
    judge: Judge = chosen.get(rule, structural) if isinstance(rule, str) else structural
    found.extend(judge(request, expected.get("result"), actual.get("result", _MISSING), "result"))
    return tuple(found)
