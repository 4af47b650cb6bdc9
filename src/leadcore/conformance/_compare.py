"""
Rule-aware comparison of another implementation's answer with the expected one.

What the contract fixes is compared; what it leaves free is not (the protocol's conventions and
v1.2 "contract versus extension"):

* by default only the contract is compared: leadcore's extensions (result keys beyond
  the protocol's table, extension reason codes, requests with extension policy keys, refusals
  beyond the rulebook; see :func:`leadcore.conformance.expectation`) are left out, and an empty
  customer equals null; ``strict=True`` compares everything leadcore answers;
* keys the answer has beyond the expected ones are ignored;
* reason lists (``reasons``, and any list of ``{"code", ...}`` objects such as the values
  of ``ineligible``) are compared by their codes, in order where the rule text fixes it
  (the catalogue's *ordered* groups, :mod:`leadcore.reasons`); messages are never
  compared;
* lists whose order the rulebook leaves open (``record``, ``discarded``, ``cancelled_events``,
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

from leadcore import protocol, reasons
from leadcore._attrs import Frozen, checked
from leadcore.conformance._contract import expectation
from leadcore.conformance._dispatch import leadcore_replay
from leadcore.conformance._vectors import json_text

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
"""Result keys whose list order the rulebook leaves open: compared as multisets."""

Kind = Literal[
    "value", "missing", "type", "length", "order", "reasons", "illegal_wave", "no_answer"
]


@attrs.frozen(kw_only=True)
class Mismatch(Frozen):
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
        detail: What tells this root cause from others of the same place and kind: the
            reason codes that differ, the error codes, the way an answer was missing.

    """

    path: str
    kind: Kind
    expected: object = None
    actual: object = None
    note: str = ""
    detail: str = ""

    def __str__(self) -> str:
        where = self.path or "response"
        if self.kind in {"no_answer", "illegal_wave"}:
            return f"{where}: {self.note}"
        text = f"{where}: expected {_show(self.expected)}, got {_show(self.actual)}"
        return f"{text} ({self.note})" if self.note else text

    @property
    def signature(self) -> tuple[str, str, str]:
        """
        The mismatch's root cause: its place (indexes and ids dropped), kind and detail.

        >>> Mismatch(path="result.ineligible.a2[0]", kind="reasons", detail="-inactive").signature
        ('result.ineligible.*', 'reasons', '-inactive')
        """
        return (_general(self.path), self.kind, self.detail)


# Maps keyed by ids or free names: their keys differ from case to case, not by cause.
_KEYED_MAPS: Final = frozenset({"ineligible", "fields"})


def _general(path: str) -> str:
    parts: list[str] = []
    for part in path.split("."):
        if not part:
            continue
        name = part.split("[", 1)[0]
        parts.append("*" if parts and parts[-1].split("[", 1)[0] in _KEYED_MAPS else name)
    return ".".join(parts)


def no_answer(note: str) -> Mismatch:
    """A mismatch for a request the implementation did not answer (crash, hang, garbage)."""
    if "no answer within" in note:
        detail = "hang"
    elif "before answering" in note:
        detail = "crash"
    else:
        detail = "not a JSON object"
    return Mismatch(path="", kind="no_answer", note=note, detail=detail)


def _show(value: object, limit: int = 160) -> str:
    if value is _MISSING:
        return "no such key"
    text = json_text(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_MISSING: Final = object()


class Judge(Protocol):
    """Compares one rule's expected and actual ``result`` (returns the mismatches)."""

    def __call__(
        self, request: Mapping[str, Any], expected: object, actual: object, path: str, /
    ) -> list[Mismatch]:
        """Return the mismatches between ``expected`` and ``actual`` at ``path``."""
        ...


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


@attrs.frozen
class _Mode:
    """How a comparison goes: strict or the contract, for which rule."""

    strict: bool
    extension_codes: frozenset[str]
    ordered: bool

    @classmethod
    def of(cls, request: Mapping[str, Any], *, strict: bool) -> _Mode:
        rule = request.get("rule")
        if not isinstance(rule, str):
            return cls(strict=strict, extension_codes=frozenset(), ordered=False)
        every = reasons.codes(rule)
        contract = set(reasons.codes(rule, extension=False))
        groups = reasons.groups(rule)
        return cls(
            strict=strict,
            extension_codes=frozenset(c for c in every if c not in contract),
            ordered=bool(groups) and all(g.ordered for g in groups),
        )


def _compare_reasons(expected: object, actual: object, path: str, mode: _Mode) -> list[Mismatch]:
    want = _codes(expected)
    got = _codes(actual)
    if want is None:  # an expectation of another shape (a hand-written vector)
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
    if not mode.strict:
        # Extension codes are leadcore's own refusals: not asked of others, not held
        # against those who give them too.
        want = [c for c in want if c not in mode.extension_codes]
        got = [c for c in got if c not in mode.extension_codes]
    if set(want) == set(got):
        if mode.ordered and want != got:
            return [
                Mismatch(
                    path=path,
                    kind="order",
                    expected=want,
                    actual=got,
                    note="the right reason codes in another order (the rule text fixes it)",
                )
            ]
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
            detail=" ".join([*(f"-{c}" for c in missing), *(f"+{c}" for c in extra)]),
        )
    ]


def _no_person(key: str | int | None, expected: object, actual: object, mode: _Mode) -> bool:
    """[decided] In the contract a person with nothing in it and null are the same."""
    return (
        not mode.strict
        and key in {"customer", "co_customer"}
        and _empty_person(expected)
        and _empty_person(actual)
    )


_PERSON_KEYS: Final = ("first_name", "last_name", "phones", "emails")


def _empty_person(value: object) -> bool:
    """A person with no name and no contact, which the contract reads as no person."""
    return value is None or (
        isinstance(value, dict) and all(value.get(k) in (None, [], "") for k in _PERSON_KEYS)
    )


def _compare_unordered(
    expected: list[Any], actual: list[Any], path: str, mode: _Mode
) -> list[Mismatch]:
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
            if not _compare({}, item, actual[position], path, key=None, mode=mode):
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
    request: Mapping[str, Any], expected: list[Any], actual: list[Any], path: str, mode: _Mode
) -> list[Mismatch]:
    if len(expected) == len(actual):
        found: list[Mismatch] = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found.extend(_compare(request, want, got, _join(path, index), key=index, mode=mode))
        if not found:
            return []
        if len(found) > 1 and not _compare_unordered(expected, actual, path, mode):
            in_order = all(_canonical(x) <= _canonical(y) for x, y in itertools.pairwise(expected))
            note = "the right items in another order"
            if in_order:
                note += " (the rulebook: lists of ids in results are sorted)"
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
    request: Mapping[str, Any],
    expected: object,
    actual: object,
    path: str,
    *,
    key: str | int | None,
    mode: _Mode,
) -> list[Mismatch]:
    if _is_reason_list(key, expected):
        return _compare_reasons(expected, actual, path, mode)
    if _no_person(key, expected, actual, mode):
        return []
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
            found.extend(
                _compare(request, want, actual[name], _join(path, name), key=name, mode=mode)
            )
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [Mismatch(path=path, kind="type", expected=expected, actual=actual)]
        if key in ORDER_FREE_KEYS:
            return _compare_unordered(expected, actual, path, mode)
        return _compare_list(request, expected, actual, path, mode)
    return _compare_scalar(expected, actual, path, key)


def _compare_scalar(
    expected: object, actual: object, path: str, key: str | int | None
) -> list[Mismatch]:
    if _same_scalar(expected, actual):
        return []
    detail = ""
    if isinstance(expected, bool) or key in _ENUM_KEYS:
        detail = f"{_show(expected)} -> {_show(actual)}"
    return [Mismatch(path=path, kind="value", expected=expected, actual=actual, detail=detail)]


# Keys whose values are a few words, not ids: a different value is a different cause.
_ENUM_KEYS: Final = frozenset(
    {"action", "app_access", "bucket", "code", "outcome", "person", "reason", "tag", "via"}
)


def structural(
    request: Mapping[str, Any],
    expected: object,
    actual: object,
    path: str,
    *,
    strict: bool = False,
) -> list[Mismatch]:
    """
    Compare ``actual`` with ``expected`` by the rules of this module (no rule judges).

    ``strict`` compares leadcore's extension codes too, and an empty person with null.

    >>> structural({}, {"reasons": [{"code": "a"}, {"code": "b"}]},
    ...            {"reasons": [{"code": "b", "message": "..."}, {"code": "a"}], "x": 1}, "")
    []
    >>> [str(m) for m in structural({}, {"ids": ["a", "b"]}, {"ids": ["b", "a"]}, "result")]
    ['result.ids: expected ["a", "b"], got ["b", "a"] (the right items in another order (the rulebook: lists of ids in results are sorted))']
    """  # noqa: E501  # a doctest's output is one line
    key = path.rsplit(".", 1)[-1] if path else None
    return _compare(request, expected, actual, path, key=key, mode=_Mode.of(request, strict=strict))


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
class WaveJudge(Frozen):
    """
    Judge ``routing.dispatch`` answers by legality, not by equal waves (RTE-2, GEN-2).

    Each wave of the answer is checked with ``check_wave`` (leadcore's own
    ``routing.check_wave`` by default), every earlier wave counting as offered before.
    When the answer's waves hold the same agents as the expected ones, everything else
    (outcome, agent, rejected events) must match exactly. When they differ, ``replay``
    (when given) says what leadcore answers with the other implementation's waves, and
    the rest is compared with that; without ``replay`` only the waves are judged. The
    default replay is leadcore's own dispatch steps on the given waves
    (:func:`leadcore.conformance._dispatch.leadcore_replay`).

    An empty wave skips ahead (RTE-2): leadcore lists it as ``[]``, which only a strict
    judge asks of others.

    Attributes:
        check_wave: ``(request, wave, offered_before) -> (legal, reason codes)``.
        replay: ``(request, waves) -> result`` or None.
        strict: Compare leadcore's extensions too (empty waves listed among them).

    """

    check_wave: WaveCheck = leadcore_check_wave
    replay: Replay | None = leadcore_replay
    strict: bool = False

    def _shape(self, waves: object) -> list[list[str]]:
        if not isinstance(waves, list):
            return []
        return [sorted(w) for w in waves if isinstance(w, list) and (w or self.strict)]

    def __call__(
        self, request: Mapping[str, Any], expected: object, actual: object, path: str
    ) -> list[Mismatch]:
        """Return the mismatches of a dispatch answer."""
        if not isinstance(expected, dict) or not isinstance(actual, dict):
            return structural(request, expected, actual, path, strict=self.strict)
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
                        detail=" ".join(codes),
                    )
                )
            offered.extend(wave)
        rest = {k: v for k, v in expected.items() if k != "waves"}
        expected_waves = expected.get("waves")
        if expected_waves is None or self._shape(expected_waves) == self._shape(waves):
            return found + structural(request, rest, actual, path, strict=self.strict)
        if found or self.replay is None:
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
                    detail="waves do not fit the events",
                )
            ]
        if self._shape(replayed.get("waves")) != self._shape(waves):
            found.append(
                Mismatch(
                    path=where,
                    kind="value",
                    expected=replayed.get("waves"),
                    actual=waves,
                    note="leadcore lists every wave, an empty one too (an extension)",
                )
            )
        want = {k: v for k, v in replayed.items() if k != "waves" and k in rest}
        return found + structural(request, want, actual, path, strict=self.strict)


@checked
def default_judges(*, strict: bool = False) -> dict[str, Judge]:
    """Return the judges used by default: ``routing.dispatch`` by :class:`WaveJudge`."""
    return {"routing.dispatch": WaveJudge(strict=strict)}


def _without_message(value: object) -> object:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "message"}
    return value


@checked
def compare(
    request: Mapping[str, Any],
    expected: Mapping[str, Any],
    actual: object,
    *,
    judges: Mapping[str, Judge] | None = None,
    strict: bool = False,
) -> tuple[Mismatch, ...]:
    """
    Compare a whole response with the expected one; return every mismatch (none: agree).

    By default only the contract is compared (v1.2 of the rules): ``expected`` is first cut to
    its contract view (:func:`leadcore.conformance.expectation`), and an expectation that
    is an extension as a whole (a request with an extension policy key, a refusal beyond
    the rulebook) asks nothing. ``strict`` compares everything.

    Args:
        request: The request both answered (the judges may need it).
        expected: The expected response: leadcore's answer, or a vector's expected part.
        actual: The other implementation's response, parsed from JSON.
        judges: Per-rule judges of ``result``; :func:`default_judges` when None.
        strict: Compare leadcore's extensions too.

    >>> request = {"id": 1, "rule": "normalize.name"}
    >>> compare(request, {"id": 1, "ok": True, "result": {"normalized": "ada"}},
    ...         {"id": 1, "ok": True, "result": {"normalized": "ada", "extra": 2}})
    ()
    >>> [str(m) for m in compare(request, {"id": 1, "ok": False, "error": {"code": "a"}},
    ...                          {"id": 1, "ok": False, "error": {"code": "b", "path": ""}})]
    ['error.code: expected "a", got "b"']
    >>> stop = {"id": 2, "rule": "related.stop"}
    >>> ours = {"id": 2, "ok": True, "result": {"stopped": [], "not_in_cadence": ["L1"]}}
    >>> compare(stop, ours, {"id": 2, "ok": True, "result": {"stopped": []}})
    ()
    >>> [m.path for m in compare(stop, ours, {"id": 2, "ok": True, "result": {"stopped": []}},
    ...                          strict=True)]
    ['result.not_in_cadence']
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
    if not strict:
        split = expectation(request, expected)
        if not split.contract:
            return ()
        expected = split.expected
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
                detail=f"{_outcome(want_ok, wanted)} -> {_outcome(got_ok, shown)}",
            )
        )
        return tuple(found)
    if want_ok is False:
        found.extend(
            structural(
                request,
                _without_message(expected.get("error")),
                actual.get("error"),
                "error",
                strict=strict,
            )
        )
        return tuple(found)
    rule = request.get("rule")
    chosen = default_judges(strict=strict) if judges is None else judges
    judge = chosen.get(rule) if isinstance(rule, str) else None
    result = actual.get("result", _MISSING)
    if judge is None:
        found.extend(structural(request, expected.get("result"), result, "result", strict=strict))
    else:
        found.extend(judge(request, expected.get("result"), result, "result"))
    return tuple(found)


def _outcome(ok: object, body: object) -> str:
    if ok is True:
        return "result"
    if ok is False and isinstance(body, dict) and isinstance(body.get("code"), str):
        return str(body["code"])
    return "no ok"
